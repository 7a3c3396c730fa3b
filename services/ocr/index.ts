import { AppError, isAppError, within } from '../errors.js';
import { renderForArchive } from './cleanup.js';
import { createOcrEngine, type OcrEngine } from './engine.js';
import { setPdfMetadata } from './metadata.js';
import { countPages, splitPages, type PageSource } from './pages.js';
import { buildSearchablePdf, type PdfPageInput } from './pdf-build.js';
import { readTextLayers } from './pdf-text.js';
import { readPage } from './recognize.js';
import type { MediaType, OcrPage, OcrResult, PdfMeta } from './types.js';

export type * from './types.js';
export type { OcrEngine } from './engine.js';
export { createOcrEngine, countPages, setPdfMetadata };

async function ocrImagePage(engine: OcrEngine, source: Extract<PageSource, { kind: 'image' }>): Promise<PdfPageInput & { kind: 'image' }> {
  const t0 = Date.now();
  const decoded = await source.decode();
  const reading = await readPage(engine.pool, decoded, { budgetMs: engine.options.pageBudgetMs });
  // The archive copy carries the resolution the page was read at, so image and text layer agree.
  const image = await renderForArchive({ ...decoded, dpi: reading.sourceDpi }, reading.geometry);
  const ocr: OcrPage = {
    index: source.index,
    width: reading.image.width,
    height: reading.image.height,
    dpi: Math.round(reading.image.dpi),
    rotation: reading.geometry.rotation,
    skew: reading.geometry.skew,
    confidence: reading.confidence,
    text: reading.text,
    lines: reading.lines,
    source: 'ocr',
    durationMs: Date.now() - t0,
    reading: {
      attempts: reading.attempts,
      enhanced: reading.enhanced,
      ...(reading.skipped.length > 0 ? { skipped: reading.skipped } : {}),
      ...(reading.orientation ? { orientation: reading.orientation } : {}),
    },
  };
  return { kind: 'image', image, ocr };
}

/** Runs `fn` over items with at most `limit` in flight, keeping order. */
async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  let failed: unknown = null;
  const lane = async () => {
    while (failed === null && next < items.length) {
      const i = next++;
      try {
        out[i] = await fn(items[i] as T);
      } catch (err) {
        failed ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
  if (failed !== null) throw failed;
  return out;
}

function weightedConfidence(pages: OcrPage[]): number {
  let sum = 0;
  let n = 0;
  for (const p of pages) {
    const chars = p.text.length;
    sum += p.confidence * chars;
    n += chars;
  }
  return n === 0 ? 0 : Math.round((sum / n) * 10) / 10;
}

/** Whole stage: split pages, clean up, OCR, build the unsigned searchable PDF. */
export async function processDocument(
  engine: OcrEngine,
  input: { bytes: Buffer; mediaType: MediaType },
  meta: PdfMeta,
): Promise<{ ocr: OcrResult; pdf: Uint8Array }> {
  const t0 = Date.now();
  try {
    const { pages, pdf } = await splitPages(input.bytes, input.mediaType, {
      maxPixels: engine.options.maxPixels,
      renderTimeoutMs: engine.options.pageTimeoutMs,
    });
    if (pages.length === 0) throw new AppError('PAGE_UNREADABLE', 'the file has no pages');
    const textPages = pdf
      ? await readTextLayers(input.bytes, pages.filter((p) => p.kind === 'text-layer').map((p) => p.index))
      : new Map<number, OcrPage>();
    // One page more than OCR workers in flight, so the next page's decoding and cleanup overlap
    // recognition; pages beyond that wait undecoded, keeping memory bounded on long files.
    const built = await mapLimit(pages, engine.pool.size + 1, async (p): Promise<{ input: PdfPageInput; page: OcrPage }> => {
      if (p.kind === 'text-layer') {
        const page = textPages.get(p.index);
        if (!page) throw new AppError('OCR_FAILED', `text layer of page ${p.index + 1} was not read`);
        return { input: { kind: 'copy', source: p.pdf, sourceIndex: p.pdfIndex }, page };
      }
      try {
        const r = await ocrImagePage(engine, p);
        return { input: r, page: r.ocr };
      } catch (err) {
        // Staff need to know which page of a long file to rescan.
        if (isAppError(err)) throw within(err, `trang ${p.index + 1}`, `page ${p.index + 1}`);
        throw err;
      }
    });
    const ocrPages = built.map((b) => b.page);
    const out = await buildSearchablePdf(built.map((b) => b.input), meta);
    const ocr: OcrResult = {
      text: ocrPages.map((p) => p.text).join('\n\f\n'),
      confidence: weightedConfidence(ocrPages),
      pages: ocrPages,
      engine: { name: 'tesseract.js', model: engine.model.model },
      durationMs: Date.now() - t0,
    };
    return { ocr, pdf: out };
  } catch (err) {
    if (isAppError(err)) throw err;
    // The engine's own words go to the log (cause), not to the clerk.
    throw new AppError('OCR_FAILED', undefined, { cause: err });
  }
}
