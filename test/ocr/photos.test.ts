// Issue #14: real-world captures (phone photos, lying metadata, colour, little text). Each image is
// generated from a shipped scan by scripts/lib/photo-conditions.ts, the same code that makes the
// shipped photo set (npm run fixtures:photos).
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOcrEngine, processDocument, type OcrEngine } from '../../services/ocr/index.js';
import { wordF1 } from '../../bench/lib/metrics.js';
import { farPhoto, printedPage, unevenLight, type TextBlock } from '../../scripts/lib/photo-conditions.js';
import { READ_DPI, analyseGeometry, decodePage, renderForOcr } from '../../services/ocr/cleanup.js';
import { meanConfidence, orientationScore, toLines } from '../../services/ocr/recognize.js';
import type { OcrLine } from '../../services/ocr/types.js';
import { META, sample } from './helpers.js';

let engine: OcrEngine;
beforeAll(async () => {
  engine = await createOcrEngine({ workers: 1, recycleAfterPages: 10, pageTimeoutMs: 180_000 });
});
afterAll(async () => {
  await engine?.close();
});

describe('working size and time budget', () => {
  // Before: the page's edges against the table were taken for text lines (read sideways), and the
  // resolution guessed from the frame (350 dpi) made the letters half the size tesseract needs
  // (landscape frame: word F1 0.885 before, 0.99 after).
  it('a page photographed from a distance (JFIF 72 dpi, page in part of the frame) is read at the size its letters imply', async () => {
    const { bytes, reference } = await sample('giay-khai-sinh-03');
    const photo = await farPhoto(bytes, 2000);
    expect((await sharp(photo).metadata()).density).toBe(72);
    const { ocr } = await processDocument(engine, { bytes: photo, mediaType: 'image/jpeg' }, META);
    const page = ocr.pages[0];
    expect(page?.rotation).toBe(0);
    expect(wordF1(ocr.text, reference)).toBeGreaterThan(0.95);
    // One reading was enough: no retry paid for on a page read well.
    expect(page?.reading?.attempts).toBe(1);
  });

  it('when the budget is spent the page keeps its best reading instead of failing', async () => {
    const { bytes } = await sample('giay-khai-sinh-03');
    const upsideDown = await sharp(bytes).rotate(180).jpeg({ quality: 90 }).withMetadata({ density: 300 }).toBuffer();
    const tight = await createOcrEngine({ workers: 1, recycleAfterPages: 10, pageTimeoutMs: 180_000, pageBudgetMs: 1 });
    try {
      const { ocr } = await processDocument(tight, { bytes: upsideDown, mediaType: 'image/jpeg' }, META);
      const page = ocr.pages[0];
      expect(page?.reading?.attempts).toBe(1);
      expect(page?.reading?.skipped).toEqual(['second-orientation', 'enhanced-retry']);
      expect(tight.pool.stats.jobs).toBe(1);
    } finally {
      await tight.close();
    }
  });
});

describe('orientation of pages with little text', () => {
  const lines = [
    { text: 'Kính gửi: Ủy ban nhân dân xã Vũ Hội', size: 13 },
    { text: 'Vũ Thư, ngày 12 tháng 3 năm 2024', size: 12 },
  ];
  const reference = lines.map((l) => l.text).join('\n');

  it('keeps a nearly empty upright page upright and reads it', async () => {
    const photo = await unevenLight(await printedPage(lines, { top: 400 }));
    const { ocr } = await processDocument(engine, { bytes: photo, mediaType: 'image/jpeg' }, META);
    expect(ocr.pages[0]?.rotation).toBe(0);
    expect(wordF1(ocr.text, reference)).toBeGreaterThan(0.9);
  });

  // Before, the turn with the higher mean confidence won. Upside-down garbage can score as high as a
  // few doubtful upright words; its words are rarely Vietnamese, which decides it now.
  it('prefers the reading whose words are Vietnamese even when the wrong way up is more confident', async () => {
    const page = await decodePage(await printedPage(lines, { top: 400 }), {});
    const g = await analyseGeometry(page);
    const read = async (rotation: 0 | 180): Promise<OcrLine[]> => {
      const img = await renderForOcr(page, { rotation, skew: g.skew }, false, READ_DPI);
      return toLines(await engine.pool.run(async (w) => (await w.recognize(img.png, {}, { blocks: true, text: false })).data), img.scale);
    };
    const upright = await read(0);
    const turned = await read(180);
    // The doubtful case: the upright words at 55, the garbage at 60.
    const at = (ls: OcrLine[], c: number) => ({ lines: ls.map((l) => ({ ...l, words: l.words.map((w) => ({ ...w, confidence: c })) })), confidence: c });
    const u = orientationScore(at(upright, 55));
    const t = orientationScore(at(turned, 60));
    expect(u - t).toBeGreaterThan(0.05);
    // And as read: upright clearly ahead.
    expect(orientationScore({ lines: upright, confidence: meanConfidence(upright) })).toBeGreaterThan(orientationScore({ lines: turned, confidence: meanConfidence(turned) }) + 0.3);
  });
});

describe('colour', () => {
  // Before: every saturated pixel was washed to white (the orange, red and blue lines vanished) and
  // the white title on a dark band was read as noise (word F1 0.68 before, 1.00 after).
  it('keeps coloured printed type and reads white type on a dark band', async () => {
    const blocks: TextBlock[] = [
      { text: 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', size: 13, bold: true, centre: true },
      { text: 'Độc lập - Tự do - Hạnh phúc', size: 13, centre: true },
      { text: 'THÔNG BÁO TUYỂN DỤNG', size: 20, bold: true, centre: true, colour: '#e8710a' },
      { text: 'Về việc tiếp nhận hồ sơ trực tuyến', size: 14, centre: true, colour: '#c62828' },
      { text: 'Ủy ban nhân dân xã Vũ Hội thông báo như sau:', size: 13 },
      { text: 'HƯỚNG DẪN NỘP HỒ SƠ', size: 14, bold: true, band: '#1f3b63' },
      { text: 'Công dân nộp hồ sơ tại Bộ phận Một cửa của xã.', size: 13 },
      { text: 'Thời gian tiếp nhận từ thứ Hai đến thứ Sáu hằng tuần.', size: 13, colour: '#1565c0' },
    ];
    const { ocr } = await processDocument(engine, { bytes: await printedPage(blocks), mediaType: 'image/jpeg' }, META);
    expect(wordF1(ocr.text, blocks.map((b) => b.text).join('\n'))).toBeGreaterThan(0.97);
    expect(ocr.text).toContain('THÔNG BÁO TUYỂN DỤNG');
    expect(ocr.text).toContain('HƯỚNG DẪN NỘP HỒ SƠ');
  });

  it('still washes out a red seal with a signature over black text', async () => {
    // The shipped scan's seal and signature cross its last lines; their ink must not become words.
    const { bytes, reference } = await sample('giay-khai-sinh-03');
    const { ocr } = await processDocument(engine, { bytes, mediaType: 'image/jpeg' }, META);
    expect(wordF1(ocr.text, reference)).toBeGreaterThan(0.97);
  });
});
