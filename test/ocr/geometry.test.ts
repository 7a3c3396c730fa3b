import sharp from 'sharp';
import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../services/errors.js';
import { analyseGeometry, decodePage, renderForOcr } from '../../services/ocr/cleanup.js';
import { countPages, createOcrEngine, processDocument, type OcrEngine } from '../../services/ocr/index.js';
import { wordF1, words } from '../../bench/lib/metrics.js';
import { META, rasterise, sample } from './helpers.js';

let engine: OcrEngine;
beforeAll(async () => {
  engine = await createOcrEngine({ workers: 1, recycleAfterPages: 2, pageTimeoutMs: 120_000 });
});
afterAll(async () => {
  await engine?.close();
});

/** Share of OCR words that occur in the reference: high only when the page is the right document. */
function precision(text: string, reference: string): number {
  const ref = new Set(words(reference));
  const hyp = words(text);
  return hyp.length === 0 ? 0 : hyp.filter((w) => ref.has(w)).length / hyp.length;
}

describe('skew and orientation estimate (no OCR)', () => {
  it('measures a skew applied with sharp, in both directions', async () => {
    // This scan is nearly straight (0.01°), so the applied angle is the truth.
    const { bytes } = await sample('giay-khai-sinh-03');
    for (const angle of [2, -1.5]) {
      const turned = await sharp(bytes).rotate(angle, { background: '#ffffff' }).jpeg().toBuffer();
      const g = await analyseGeometry(await decodePage(turned, {}));
      expect(g.sideways).toBe(false);
      expect(Math.abs(g.skew - angle), `applied ${angle}, found ${g.skew}`).toBeLessThan(0.2);
    }
  });

  it('prepares the OCR image: 200 dpi upsampled to 300, turned, optionally contrast-enhanced', async () => {
    const { bytes } = await sample('giay-khai-sinh-02');
    // A strip keeps CLAHE cheap; the geometry is what is checked.
    const strip = await sharp(bytes).extract({ left: 0, top: 0, width: 1653, height: 400 }).withMetadata({ density: 200 }).jpeg().toBuffer();
    const page = await decodePage(strip, {});
    expect(page.dpi).toBe(200);
    for (const enhance of [false, true]) {
      const img = await renderForOcr(page, { rotation: 90, skew: 0 }, enhance);
      expect(img.dpi).toBe(300);
      expect(img.width).toBe(600);
      expect(img.height).toBeGreaterThanOrEqual(2479);
      expect(img.png.subarray(0, 2).toString('ascii')).toBe('P5');
      expect(img.png.length).toBeGreaterThan(img.width * img.height);
    }
  });

  it('sees that a page lies on its side', async () => {
    const { bytes } = await sample('giay-khai-sinh-03');
    const turned = await sharp(bytes).rotate(90).jpeg().toBuffer();
    expect((await analyseGeometry(await decodePage(turned, {}))).sideways).toBe(true);
  });
});

describe('pages turned and multi-page input', () => {
  it('a page turned 90° is put upright and read', async () => {
    const { bytes, reference } = await sample('quyet-dinh-hanh-chinh-01');
    const turned = await sharp(bytes).rotate(90).jpeg({ quality: 90 }).withMetadata({ density: 300 }).toBuffer();
    const { ocr } = await processDocument(engine, { bytes: turned, mediaType: 'image/jpeg' }, META);
    const page = ocr.pages[0];
    expect(page?.rotation).toBe(270);
    expect(page?.height).toBeGreaterThan(page?.width ?? Infinity);
    expect(wordF1(ocr.text, reference)).toBeGreaterThan(0.95);
  });

  it('the PDF shows the scan turned and deskewed under its text layer', async () => {
    const { bytes } = await sample('giay-khai-sinh-03');
    // Upside down and skewed: the archive image is turned by the PDF's drawing matrix, so the
    // words' boxes (OCR frame pixels) must land on ink in the rendered page.
    const top = await sharp(bytes).extract({ left: 0, top: 0, width: 2480, height: 1400 }).toBuffer();
    const turned = await sharp(top).rotate(181.5, { background: '#ffffff' }).jpeg({ quality: 90 }).withMetadata({ density: 300 }).toBuffer();
    const { ocr, pdf } = await processDocument(engine, { bytes: turned, mediaType: 'image/jpeg' }, META);
    const page = ocr.pages[0];
    expect(page?.rotation).toBe(180);
    const dpi = 50;
    const r = await rasterise(pdf, dpi);
    const k = dpi / (page?.dpi ?? 300);
    expect(Math.abs(r.width - (page?.width ?? 0) * k)).toBeLessThan(2);
    let pageSum = 0;
    for (const v of r.data) pageSum += v;
    let inSum = 0;
    let inN = 0;
    for (const line of page?.lines ?? []) {
      for (const w of line.words) {
        for (let y = Math.floor(w.bbox.y0 * k); y <= Math.floor(w.bbox.y1 * k); y++) {
          for (let x = Math.floor(w.bbox.x0 * k); x <= Math.floor(w.bbox.x1 * k); x++) {
            inSum += r.data[y * r.width + x] ?? 255;
            inN++;
          }
        }
      }
    }
    expect(inN).toBeGreaterThan(500);
    // Word boxes are much darker than the page as a whole only where they sit on the printed words.
    expect(inSum / inN).toBeLessThan((pageSum / r.data.length) * 0.9);
  });

  it('a two-page TIFF gives two pages in order', async () => {
    const a = await sample('quyet-dinh-hanh-chinh-01');
    const b = await sample('giay-khai-sinh-03');
    // Top third of each page keeps the test fast and still holds a dozen distinct lines.
    const crop = (buf: Buffer) =>
      sharp(buf).extract({ left: 0, top: 0, width: 2480, height: 1200 }).greyscale().png().toBuffer();
    const tiff = await sharp([await crop(a.bytes), await crop(b.bytes)], { join: { animated: true } })
      .tiff({ compression: 'lzw', xres: 300 / 25.4, yres: 300 / 25.4 })
      .toBuffer();
    expect(await countPages(tiff, 'image/tiff')).toBe(2);
    const { ocr, pdf } = await processDocument(engine, { bytes: tiff, mediaType: 'image/tiff' }, META);
    expect(ocr.pages.map((p) => p.index)).toEqual([0, 1]);
    const [p0, p1] = ocr.pages;
    // The crop cuts through a line at its bottom edge, so a few fragments are expected.
    expect(precision(p0?.text ?? '', a.reference)).toBeGreaterThan(0.8);
    expect(precision(p1?.text ?? '', b.reference)).toBeGreaterThan(0.8);
    expect(words(p0?.text ?? '').length).toBeGreaterThan(20);
    // Each page is its own document: b's text does not fit a as well as a's does.
    expect(precision(p1?.text ?? '', a.reference)).toBeLessThan(precision(p0?.text ?? '', a.reference));
    expect(pdf.length).toBeGreaterThan(0);
    // recycleAfterPages = 2: the worker was replaced after these pages.
    expect(engine.pool.stats.recycled).toBeGreaterThanOrEqual(1);
  });

  it('a PDF page whose image is not a JPEG is rendered (pdfjs in a worker thread) and read', async () => {
    const { bytes, reference } = await sample('quyet-dinh-hanh-chinh-01');
    const png = await sharp(bytes).extract({ left: 0, top: 0, width: 2480, height: 1200 }).greyscale().png().toBuffer();
    const doc = await PDFDocument.create();
    const image = await doc.embedPng(png);
    // 2480 px over 595.2 pt = 300 dpi.
    doc.addPage([595.2, 288]).drawImage(image, { x: 0, y: 0, width: 595.2, height: 288 });
    const pdfIn = Buffer.from(await doc.save());
    const { ocr } = await processDocument(engine, { bytes: pdfIn, mediaType: 'application/pdf' }, META);
    expect(ocr.pages[0]?.source).toBe('ocr');
    expect(ocr.pages[0]?.dpi).toBe(300);
    expect(precision(ocr.text, reference)).toBeGreaterThan(0.9);
    expect(words(ocr.text).length).toBeGreaterThan(20);
  });

  it('a page that takes longer than the timeout is OCR_TIMEOUT', async () => {
    const hasty = await createOcrEngine({ workers: 1, recycleAfterPages: 10, pageTimeoutMs: 5 });
    try {
      const { bytes } = await sample('giay-khai-sinh-03');
      const err = await processDocument(hasty, { bytes, mediaType: 'image/jpeg' }, META).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe('OCR_TIMEOUT');
      expect(hasty.pool.stats.timeouts).toBe(1);
    } finally {
      await hasty.close();
    }
  });
});
