import type Tesseract from 'tesseract.js';
import type { OcrPool } from './pool.js';
import type { OcrBox, OcrLine, OcrWord, Rotation } from './types.js';
import { OCR_DPI, READ_DPI, analyseGeometry, renderForOcr, type DecodedPage, type Geometry, type OcrImage } from './cleanup.js';

/** Upside-down or sideways text reads as garbage well below this; upright pages score 80–96. */
const WRONG_WAY_CONFIDENCE = 65;
/** Good pages score 93–95 and hard ones 80–85 (probe): only the latter pay for the enhanced retry. */
const RETRY_CONFIDENCE = 88;

export interface PageReading {
  geometry: Geometry;
  image: { width: number; height: number; dpi: number };
  confidence: number;
  text: string;
  lines: OcrLine[];
  attempts: number;
}

function box(b: Tesseract.Bbox, k: number): OcrBox {
  if (k === 1) return { x0: b.x0, y0: b.y0, x1: b.x1, y1: b.y1 };
  return { x0: Math.round(b.x0 * k), y0: Math.round(b.y0 * k), x1: Math.round(b.x1 * k), y1: Math.round(b.y1 * k) };
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

/** `scale` maps tesseract's pixels (the reading resolution) to the page frame. */
export function toLines(page: Tesseract.Page, scale = 1): OcrLine[] {
  const lines: OcrLine[] = [];
  for (const block of page.blocks ?? []) {
    for (const para of block.paragraphs) {
      for (const line of para.lines) {
        const words: OcrWord[] = line.words
          .map((w) => ({ text: w.text.normalize('NFC').trim(), confidence: round1(w.confidence), bbox: box(w.bbox, scale) }))
          .filter((w) => w.text.length > 0);
        if (words.length === 0) continue;
        const bl = line.baseline;
        let baseline = (bl.y0 + bl.y1) / 2;
        // tesseract occasionally reports a baseline outside its own line box; fall back to the box.
        if (!(baseline >= line.bbox.y0 && baseline <= line.bbox.y1 + 2)) baseline = line.bbox.y1;
        baseline *= scale;
        lines.push({
          text: words.map((w) => w.text).join(' '),
          confidence: round1(line.confidence),
          bbox: box(line.bbox, scale),
          baseline: Math.round(baseline),
          words,
        });
      }
    }
  }
  return lines;
}

async function readOnce(pool: OcrPool, img: OcrImage): Promise<{ lines: OcrLine[]; confidence: number }> {
  const data = await pool.run(async (w) => (await w.recognize(img.png, {}, { blocks: true, text: false })).data);
  const lines = toLines(data, img.scale);
  return { lines, confidence: meanConfidence(lines) };
}

/** Character-weighted word confidence: a page of long confident lines is not dragged down by dust specks. */
export function meanConfidence(lines: OcrLine[]): number {
  let sum = 0;
  let n = 0;
  for (const l of lines) {
    for (const w of l.words) {
      sum += w.confidence * w.text.length;
      n += w.text.length;
    }
  }
  return n === 0 ? 0 : round1(sum / n);
}

interface Attempt {
  lines: OcrLine[];
  confidence: number;
  geometry: Geometry;
  img: OcrImage;
}

async function attempt(pool: OcrPool, page: DecodedPage, geometry: Geometry, enhance: boolean): Promise<Attempt> {
  // The enhanced retry is for hard pages: it also reads at full OCR resolution in case small print
  // was what lowered the confidence.
  const img = await renderForOcr(page, geometry, enhance, enhance ? OCR_DPI : READ_DPI);
  const r = await readOnce(pool, img);
  return { ...r, geometry, img };
}

export async function readPage(pool: OcrPool, page: DecodedPage): Promise<PageReading> {
  const { skew, sideways, blank } = await analyseGeometry(page);
  // Which of the two opposite turns is upright is left to OCR itself: the wrong one reads as garbage.
  const [first, second]: [Rotation, Rotation] = sideways ? [90, 270] : [0, 180];
  let attempts = 1;
  let best = await attempt(pool, page, { rotation: first, skew }, false);
  if (blank) {
    // An empty page (a blank back side) reads as nothing whichever way up: no retries.
  } else if (best.confidence < WRONG_WAY_CONFIDENCE) {
    attempts++;
    const other = await attempt(pool, page, { rotation: second, skew }, false);
    if (other.confidence > best.confidence) best = other;
  }
  if (!blank && best.confidence < RETRY_CONFIDENCE) {
    attempts++;
    const enhanced = await attempt(pool, page, best.geometry, true);
    if (enhanced.confidence > best.confidence) best = enhanced;
  }
  return {
    geometry: best.geometry,
    image: { width: best.img.width, height: best.img.height, dpi: best.img.dpi },
    confidence: best.confidence,
    text: best.lines.map((l) => l.text).join('\n'),
    lines: best.lines,
    attempts,
  };
}
