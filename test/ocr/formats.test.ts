import sharp from 'sharp';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../services/errors.js';
import { countPages, createOcrEngine, processDocument, setPdfMetadata, type OcrEngine } from '../../services/ocr/index.js';
import { wordF1 } from '../../bench/lib/metrics.js';
import { META, pdfimagesList, pdfinfo, pdftotext, qpdfCheck, sample } from './helpers.js';

let engine: OcrEngine;
let jpegPdf: Uint8Array | null = null;

beforeAll(async () => {
  engine = await createOcrEngine({ workers: 1, recycleAfterPages: 10, pageTimeoutMs: 120_000 });
});
afterAll(async () => {
  await engine?.close();
});

async function expectAppError(p: Promise<unknown>, code: string): Promise<void> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  expect((err as AppError).code).toBe(code);
}

describe('processDocument on each input format', () => {
  it('JPEG (colour, red seal): OCR text and a valid searchable PDF', async () => {
    const { bytes, reference } = await sample('giay-khai-sinh-03');
    const { ocr, pdf } = await processDocument(engine, { bytes, mediaType: 'image/jpeg' }, META);
    expect(ocr.pages).toHaveLength(1);
    const page = ocr.pages[0];
    expect(page?.source).toBe('ocr');
    expect(page?.rotation).toBe(0);
    expect(page?.dpi).toBe(300);
    expect(wordF1(ocr.text, reference)).toBeGreaterThan(0.95);
    expect(ocr.confidence).toBeGreaterThan(85);
    // Words carry boxes inside the page and sit on their line's baseline.
    const line = page?.lines.find((l) => l.words.length >= 3);
    expect(line).toBeDefined();
    for (const w of line?.words ?? []) {
      expect(w.bbox.x1).toBeGreaterThan(w.bbox.x0);
      expect(w.bbox.x1).toBeLessThanOrEqual(page?.width ?? 0);
      expect(line?.baseline).toBeGreaterThanOrEqual(w.bbox.y0);
    }

    const extracted = await pdftotext(pdf);
    expect(Math.abs(wordF1(extracted, reference) - wordF1(ocr.text, reference))).toBeLessThan(0.02);
    const check = await qpdfCheck(pdf);
    expect(check.ok, check.output).toBe(true);
    // Page size follows the scan's resolution: A4 at 300 dpi.
    const info = await pdfinfo(pdf);
    const size = /Page size:\s+([\d.]+) x ([\d.]+)/.exec(info);
    expect(Number(size?.[1])).toBeCloseTo(595, -1);
    expect(info).toContain('Title:           Giấy khai sinh');
    // The archive copy keeps the scan's colour model.
    const images = await pdfimagesList(pdf);
    expect(images).toMatch(/\bjpeg\b/);
    const channels = (await sharp(bytes).metadata()).channels;
    expect(images).toMatch(channels === 3 ? /\brgb\s+3\b/ : /\bgray\s+1\b/);
    jpegPdf = pdf;
  });

  it('PNG (greyscale)', async () => {
    // The shipped fixtures hold no PNG scan (they are large): a greyscale PNG made from a scan stands in.
    const { bytes: jpeg, reference } = await sample('giay-khai-sinh-02');
    const bytes = await sharp(jpeg).greyscale().png().toBuffer();
    const { ocr } = await processDocument(engine, { bytes, mediaType: 'image/png' }, META);
    expect(wordF1(ocr.text, reference)).toBeGreaterThan(0.95);
  });

  it('TIFF bilevel group 4: deskewed, kept 1-bit in the PDF', async () => {
    const { bytes, reference, sample: s } = await sample('giay-khai-sinh-01');
    const { ocr, pdf } = await processDocument(engine, { bytes, mediaType: 'image/tiff' }, META);
    expect(wordF1(ocr.text, reference)).toBeGreaterThan(0.95);
    expect(Math.abs(Math.abs(ocr.pages[0]?.skew ?? 0) - Math.abs(s.scan.angles[0] ?? 0))).toBeLessThan(0.3);
    const images = await pdfimagesList(pdf);
    expect(images).toMatch(/gray\s+1\s+1\b/);
    expect(pdf.length).toBeLessThan(400_000);
    expect(wordF1(await pdftotext(pdf), reference)).toBeGreaterThan(0.95);
  });

  it('image-only PDF (200 dpi JPEG page) is read at its image resolution', async () => {
    const { bytes, reference } = await sample('giay-chung-nhan-ket-hon-02');
    const { ocr, pdf } = await processDocument(engine, { bytes, mediaType: 'application/pdf' }, META);
    expect(ocr.pages[0]?.source).toBe('ocr');
    expect(wordF1(ocr.text, reference)).toBeGreaterThan(0.95);
    expect((await qpdfCheck(pdf)).ok).toBe(true);
  });

  // Issue #14: before, the OCR stage had no WebP/AVIF branch (preflight refused them with 415).
  it('WebP and AVIF phone captures are read like the JPEG they came from', async () => {
    const { bytes: jpeg, reference } = await sample('giay-khai-sinh-02');
    const webp = await sharp(jpeg).webp({ quality: 80 }).toBuffer();
    const { ocr } = await processDocument(engine, { bytes: webp, mediaType: 'image/webp' }, META);
    expect(wordF1(ocr.text, reference)).toBeGreaterThan(0.95);
    const avif = await sharp(jpeg).avif({ quality: 60, effort: 0 }).toBuffer();
    const { ocr: fromAvif, pdf } = await processDocument(engine, { bytes: avif, mediaType: 'image/avif' }, META);
    expect(wordF1(fromAvif.text, reference)).toBeGreaterThan(0.95);
    expect(await countPages(avif, 'image/avif')).toBe(1);
    // The archive copy inside the PDF is a JPEG whatever came in.
    expect(await pdfimagesList(pdf)).toMatch(/\bjpeg\b/);
  });

  it('a faint, blurred, low-contrast scan is still read (no global normalise)', async () => {
    const { bytes, reference } = await sample('quyet-dinh-hanh-chinh-01');
    const faint = await sharp(bytes).linear(0.25, 180).blur(0.8).jpeg({ quality: 85 }).toBuffer();
    const { ocr } = await processDocument(engine, { bytes: faint, mediaType: 'image/jpeg' }, META);
    expect(wordF1(ocr.text, reference)).toBeGreaterThan(0.95);
  });

  it('a PDF page with a text layer keeps its text and is not OCR-ed again', async () => {
    expect(jpegPdf).not.toBeNull();
    const { reference } = await sample('giay-khai-sinh-03');
    const jobsBefore = engine.pool.stats.jobs;
    const { ocr, pdf } = await processDocument(engine, { bytes: Buffer.from(jpegPdf ?? []), mediaType: 'application/pdf' }, META);
    expect(engine.pool.stats.jobs).toBe(jobsBefore);
    expect(ocr.pages[0]?.source).toBe('text-layer');
    expect(wordF1(ocr.text, reference)).toBeGreaterThan(0.95);
    expect(wordF1(await pdftotext(pdf), reference)).toBeGreaterThan(0.95);
  });

  it('a born-digital PDF page is read from its text', async () => {
    const doc = await PDFDocument.create();
    const font = await doc.embedFont(StandardFonts.Helvetica);
    doc.addPage([595, 842]).drawText('Quyet dinh so 1500 ve viec phe duyet', { x: 72, y: 760, size: 12, font });
    const bytes = Buffer.from(await doc.save());
    const jobsBefore = engine.pool.stats.jobs;
    const { ocr } = await processDocument(engine, { bytes, mediaType: 'application/pdf' }, META);
    expect(engine.pool.stats.jobs).toBe(jobsBefore);
    expect(ocr.pages[0]?.source).toBe('text-layer');
    expect(ocr.text).toContain('Quyet dinh so 1500 ve viec phe duyet');
    expect(ocr.pages[0]?.lines[0]?.words).toHaveLength(8);
  });
});

describe('broken input', () => {
  it('a truncated JPEG is PAGE_UNREADABLE', async () => {
    const { bytes } = await sample('giay-khai-sinh-03');
    await expectAppError(processDocument(engine, { bytes: bytes.subarray(0, bytes.length / 3), mediaType: 'image/jpeg' }, META), 'PAGE_UNREADABLE');
  });

  it('garbage declared as PNG is PAGE_UNREADABLE and the engine keeps working', async () => {
    const garbage = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(5000, 7)]);
    await expectAppError(processDocument(engine, { bytes: garbage, mediaType: 'image/png' }, META), 'PAGE_UNREADABLE');
    const tiny = await sharp({ create: { width: 400, height: 200, channels: 3, background: '#fff' } })
      .composite([{ input: Buffer.from('<svg width="400" height="200"><text x="20" y="120" font-size="60">HELLO</text></svg>') }])
      .png()
      .toBuffer();
    const { ocr } = await processDocument(engine, { bytes: tiny, mediaType: 'image/png' }, META);
    expect(ocr.text.toUpperCase()).toContain('HELLO');
  });

  it('an unparseable PDF is FILE_CORRUPT', async () => {
    await expectAppError(processDocument(engine, { bytes: Buffer.from('%PDF-1.7\nnot really'), mediaType: 'application/pdf' }, META), 'FILE_CORRUPT');
  });
});

describe('countPages and setPdfMetadata', () => {
  it('counts pages without decoding', async () => {
    const jpeg = await sample('giay-khai-sinh-03');
    expect(await countPages(jpeg.bytes, 'image/jpeg')).toBe(1);
    const pdf = await sample('giay-chung-nhan-ket-hon-02');
    expect(await countPages(pdf.bytes, 'application/pdf')).toBe(1);
    const tif = await sample('giay-khai-sinh-01');
    expect(await countPages(tif.bytes, 'image/tiff')).toBe(1);
  });

  it('rewrites Info and XMP with the document code', async () => {
    expect(jpegPdf).not.toBeNull();
    const before = jpegPdf ?? new Uint8Array();
    const after = await setPdfMetadata(before, { ...META, title: 'Giấy khai sinh (bản chính)', code: 'H54.01-GKS-000123' });
    const info = await pdfinfo(after);
    expect(info).toContain('Title:           Giấy khai sinh (bản chính)');
    expect(info).toContain('H54.01-GKS-000123');
    const xmp = await pdfinfo(after, '-meta');
    expect(xmp).toContain('<mc:DocumentCode>H54.01-GKS-000123</mc:DocumentCode>');
    expect(xmp).toContain(`<mc:DossierCode>${META.dossierCode}</mc:DossierCode>`);
    expect((await qpdfCheck(after)).ok).toBe(true);
    // The text layer survives the rewrite.
    expect(await pdftotext(after)).toContain('GIẤY KHAI SINH');
  });
});
