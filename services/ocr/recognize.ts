import type Tesseract from 'tesseract.js';
import type { OcrPool } from './pool.js';
import { dictionaryShare } from './vietnamese.js';
import type { OcrBox, OcrLine, OcrWord, Rotation } from './types.js';
import { OCR_DPI, READ_DPI, analyseGeometry, dpiFromText, readScaleFor, renderForOcr, type DecodedPage, type Geometry, type OcrImage } from './cleanup.js';

/** Upside-down or sideways text reads as garbage well below this; upright pages score 80–96. */
const WRONG_WAY_CONFIDENCE = 65;
/** Good pages score 93–95 and hard ones 80–85 (probe): only the latter pay for the enhanced retry. */
const RETRY_CONFIDENCE = 88;

export interface PageReading {
  geometry: Geometry;
  image: { width: number; height: number; dpi: number };
  /** Resolution of the decoded page as read (a guessed one replaced by the text-size estimate). */
  sourceDpi: number;
  confidence: number;
  text: string;
  lines: OcrLine[];
  attempts: number;
  /** Readings left out to stay within the page's budget. */
  skipped: SkippedReading[];
  /** The kept reading is the contrast-enhanced one. */
  enhanced: boolean;
  /** Both turns were read (the first was in doubt): which was kept, and each one's score. */
  orientation?: { compared: Rotation[]; kept: Rotation; scores: number[] };
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
  enhanced: boolean;
}

async function attempt(pool: OcrPool, page: DecodedPage, geometry: Geometry, enhance: boolean): Promise<Attempt> {
  // The enhanced retry is for hard pages: it also reads at full OCR resolution in case small print
  // was what lowered the confidence.
  const img = await renderForOcr(page, geometry, enhance, enhance ? OCR_DPI : READ_DPI);
  const r = await readOnce(pool, img);
  return { ...r, geometry, img, enhanced: enhance };
}

/** Default per-page budget, in estimated CPU ms: extra readings that would not fit are skipped. */
export const PAGE_BUDGET_MS = 15_000;
/**
 * Estimated CPU ms per megapixel tesseract reads (layout, binarization, LSTM), measured on this
 * 2-core machine: ~2 s for an A4 page at 200 dpi (3.9 Mpx). The budget is planned from pixels, not
 * from wall time, so a loaded machine does not make a page skip the turn it needs.
 */
export const CPU_MS_PER_MPX = 520;
/** CLAHE + median before the enhanced reading add about this share. */
const ENHANCE_OVERHEAD = 1.4;

function estimatedCost(page: DecodedPage, enhance: boolean): number {
  const scale = readScaleFor(page, enhance ? OCR_DPI : READ_DPI);
  const mpx = (page.width * page.height * scale * scale) / 1e6;
  return mpx * CPU_MS_PER_MPX * (enhance ? ENHANCE_OVERHEAD : 1);
}

export interface ReadOptions {
  /** Estimated CPU ms a page may take; readings beyond the first that would not fit are skipped (default PAGE_BUDGET_MS). */
  budgetMs?: number;
}

/** A reading that was not made because the page's budget was spent. */
export type SkippedReading = 'second-orientation' | 'enhanced-retry';

export async function readPage(pool: OcrPool, page: DecodedPage, opts: ReadOptions = {}): Promise<PageReading> {
  const budget = opts.budgetMs ?? PAGE_BUDGET_MS;
  const layout = await analyseGeometry(page);
  const { skew, sideways, blank } = layout;
  // A guessed resolution is replaced by the one the letters' size implies.
  const dpi = dpiFromText(page, layout.xHeightPx);
  const sized: DecodedPage = dpi === page.dpi ? page : { ...page, dpi };
  // Which of the two opposite turns is upright is left to OCR itself: the wrong one reads as garbage.
  const [first, second]: [Rotation, Rotation] = sideways ? [90, 270] : [0, 180];
  let attempts = 1;
  let spent = estimatedCost(sized, false);
  let best = await attempt(pool, sized, { rotation: first, skew }, false);
  const skipped: SkippedReading[] = [];
  let orientation: PageReading['orientation'];
  /** Runs an extra reading only if its estimated cost fits what is left of the budget; otherwise the best so far stands. */
  const extra = async (what: SkippedReading, enhance: boolean, run: () => Promise<Attempt>): Promise<Attempt | null> => {
    const cost = estimatedCost(sized, enhance);
    if (spent + cost > budget) {
      skipped.push(what);
      return null;
    }
    spent += cost;
    attempts++;
    return run();
  };
  if (blank) {
    // An empty page (a blank back side) reads as nothing whichever way up: no retries.
  } else if (best.confidence < WRONG_WAY_CONFIDENCE) {
    // In doubt: read the other way too and keep the better reading, judged by confidence and by how
    // many of its words are Vietnamese at all. Confidence alone turned upright pages with little
    // text: garbage read upside down can score as high as a few doubtful upright words.
    const other = await extra('second-orientation', false, () => attempt(pool, sized, { rotation: second, skew }, false));
    if (other) {
      const scores = [orientationScore(best), orientationScore(other)];
      if ((scores[1] as number) > (scores[0] as number) + ORIENTATION_MARGIN) best = other;
      orientation = { compared: [first, second], kept: best.geometry.rotation, scores };
    }
  }
  if (!blank && best.confidence < RETRY_CONFIDENCE) {
    const enhanced = await extra('enhanced-retry', true, () => attempt(pool, sized, best.geometry, true));
    if (enhanced && enhanced.confidence > best.confidence) best = enhanced;
  }
  return {
    geometry: best.geometry,
    image: { width: best.img.width, height: best.img.height, dpi: best.img.dpi },
    sourceDpi: dpi,
    confidence: best.confidence,
    text: best.lines.map((l) => l.text).join('\n'),
    lines: best.lines,
    attempts,
    skipped,
    enhanced: best.enhanced,
    ...(orientation ? { orientation } : {}),
  };
}

/** The first turn is kept unless the other reads clearly better: most pages arrive upright. */
const ORIENTATION_MARGIN = 0.05;

/** 0..1: half mean word confidence, half the share of words that are Vietnamese syllables or numbers. */
export function orientationScore(r: { lines: OcrLine[]; confidence: number }): number {
  const share = dictionaryShare(r.lines.flatMap((l) => l.words.map((w) => w.text)));
  return Math.round((0.5 * (r.confidence / 100) + 0.5 * share) * 1000) / 1000;
}
