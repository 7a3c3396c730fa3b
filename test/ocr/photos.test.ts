// Issue #14: real-world captures (phone photos, lying metadata, colour, little text). Each image is
// generated from a shipped scan by scripts/lib/photo-conditions.ts, the same code that makes the
// shipped photo set (npm run fixtures:photos).
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOcrEngine, processDocument, type OcrEngine } from '../../services/ocr/index.js';
import { wordF1 } from '../../bench/lib/metrics.js';
import { farPhoto } from '../../scripts/lib/photo-conditions.js';
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
