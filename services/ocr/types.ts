export type { MediaType } from '../../schemas/media-types.js';

/** Pixels of the upright, deskewed page. */
export interface OcrBox {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}
export interface OcrWord {
  text: string;
  confidence: number;
  bbox: OcrBox;
}
export interface OcrLine {
  text: string;
  confidence: number;
  bbox: OcrBox;
  /** y of the baseline, in page pixels. */
  baseline: number;
  words: OcrWord[];
}
export type Rotation = 0 | 90 | 180 | 270;
/**
 * One page as read. For `source: 'ocr'` coordinates are pixels of the cleaned page at `dpi`
 * (300 for scans under ~255 dpi; tesseract itself reads at READ_DPI and its boxes are scaled
 * to this frame), after turning it `rotation` degrees
 * clockwise and straightening a text-line slope of `skew` degrees (positive: lines descended to
 * the right). For `source: 'text-layer'` they are PDF points from the top-left (dpi 72).
 */
export interface OcrPage {
  index: number;
  width: number;
  height: number;
  dpi: number;
  rotation: Rotation;
  skew: number;
  confidence: number;
  text: string;
  lines: OcrLine[];
  source: 'ocr' | 'text-layer';
  durationMs: number;
  /** How an OCR page was read: readings made, whether the enhanced one was kept, what the time budget skipped. */
  reading?: OcrReadingNotes;
}
export interface OcrReadingNotes {
  attempts: number;
  enhanced: boolean;
  skipped?: ('second-orientation' | 'enhanced-retry')[];
  /** Set when both turns were read because the first was in doubt: the one kept. */
  orientation?: { compared: Rotation[]; kept: Rotation; scores: number[] };
}
export interface OcrResult {
  text: string;
  confidence: number;
  pages: OcrPage[];
  engine: { name: string; model: string };
  durationMs: number;
}
export interface PdfMeta {
  title: string;
  unitCode: string;
  dossierCode: string;
  documentId: string;
  code?: string | null;
  author?: string;
}
export interface OcrEngineOptions {
  workers: number;
  recycleAfterPages: number;
  pageTimeoutMs: number;
  /** Folder holding vie.traineddata(.gz); default: the model chosen by measurement. */
  langDir?: string;
  /** Pages with more pixels than this are refused before decoding. */
  maxPixels?: number;
  /** Wall-clock ms one page may take before extra readings are skipped (default 15 000). */
  pageBudgetMs?: number;
}
