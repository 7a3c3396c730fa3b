import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { READ_DPI, decodePage, pageDpi, renderForArchive, renderForOcr, suppressColourInk } from '../../services/ocr/cleanup.js';
import { sample } from './helpers.js';

describe('cleanup for OCR and archive (no OCR)', () => {
  it('washes out saturated ink and keeps black and grey', async () => {
    // red seal, blue signature, black text, mid grey, white paper, pale pink
    const rgb = Buffer.from([220, 30, 40, 20, 40, 200, 10, 10, 10, 128, 128, 128, 255, 255, 255, 240, 215, 215]);
    const out = await suppressColourInk(rgb, 6);
    expect(out[0]).toBeGreaterThanOrEqual(250);
    expect(out[1]).toBeGreaterThanOrEqual(250);
    expect(out[2]).toBe(10);
    expect(out[3]).toBe(128);
    expect(out[4]).toBe(255);
    // Saturation 25 is below the threshold: the pixel keeps its luminance.
    expect(Math.abs((out[5] ?? 0) - 222)).toBeLessThanOrEqual(1);
  });

  it('believes a resolution header only when the paper it implies could be real (the JFIF 72 dpi default is not)', async () => {
    // Fails on the old code: a 300 dpi A4 scan re-encoded as JPEG says 72 dpi and was upscaled 4x before OCR.
    const { bytes } = await sample('giay-khai-sinh-03');
    const jpeg = await sharp(bytes).jpeg({ quality: 88 }).toBuffer();
    expect((await sharp(jpeg).metadata()).density).toBe(72);
    const page = await decodePage(jpeg, {});
    expect(page.dpi).toBe(300);
    const img = await renderForOcr(page, { rotation: 0, skew: 0 }, false, READ_DPI);
    const [, w] = /^P5\n(\d+) /.exec(img.png.subarray(0, 32).toString('ascii')) ?? [];
    expect(Number(w)).toBeLessThan(page.width);
    // Headers that describe a real sheet are kept: A4 at 200 and 600 dpi, an ID card at 300, A3 at 150.
    expect(pageDpi(200, 1654, 2339)).toBe(200);
    expect(pageDpi(600, 4960, 7016)).toBe(600);
    expect(pageDpi(300, 1011, 638)).toBe(300);
    expect(pageDpi(150, 1754, 2480)).toBe(150);
    // A header that would make an A4 scan a 34-inch or a 1-inch sheet is not.
    expect(pageDpi(72, 2480, 3508)).toBe(300);
    expect(pageDpi(2400, 2480, 3508)).toBe(300);
    expect(pageDpi(undefined, 1654, 2339)).toBe(200);
  });

  it('reads at READ_DPI but reports boxes in the 300 dpi frame', async () => {
    const { bytes } = await sample('giay-khai-sinh-03');
    const strip = await sharp(bytes).extract({ left: 0, top: 0, width: 2480, height: 600 }).withMetadata({ density: 300 }).jpeg().toBuffer();
    const page = await decodePage(strip, {});
    const full = await renderForOcr(page, { rotation: 0, skew: 1 }, false);
    const read = await renderForOcr(page, { rotation: 0, skew: 1 }, false, READ_DPI);
    expect(full.scale).toBe(1);
    expect(read.dpi).toBe(full.dpi);
    expect(Math.abs(read.width - full.width)).toBeLessThanOrEqual(2);
    expect(Math.abs(read.height - full.height)).toBeLessThanOrEqual(2);
    const [, w, h] = /^P5\n(\d+) (\d+)\n/.exec(read.png.subarray(0, 32).toString('ascii')) ?? [];
    expect(Number(w)).toBeCloseTo((full.width * READ_DPI) / 300, -1);
    expect(read.scale).toBeCloseTo(read.width / Number(w), 6);
    expect(Number(h) * read.scale).toBeCloseTo(read.height, -1);
  });

  it('keeps the archive pixels as scanned and leaves the turn to the PDF', async () => {
    const { bytes } = await sample('giay-khai-sinh-03');
    const page = await decodePage(bytes, {});
    const img = await renderForArchive(page, { rotation: 180, skew: 1.5 });
    expect(img.kind).toBe('jpeg');
    expect(img.width).toBe(page.width);
    expect(img.height).toBe(page.height);
    expect(img.dpi).toBe(page.dpi);
    expect(img.angle).toBeCloseTo(178.5, 6);
  });

  it('keeps the scanned JPEG bytes as the archive copy when it is upright RGB or grey, re-encodes otherwise', async () => {
    const { bytes } = await sample('giay-khai-sinh-03');
    const upright = await sharp(bytes).resize({ width: 1240 }).withMetadata({ density: 150 }).jpeg({ quality: 70 }).toBuffer();
    const kept = await renderForArchive(await decodePage(upright, {}), { rotation: 0, skew: 0.4 });
    expect(kept.kind).toBe('jpeg');
    expect(kept.bytes.equals(upright)).toBe(true);
    // An EXIF-rotated photo is turned on decode, so its bytes no longer describe the pixels.
    const exifTurned = await sharp(upright).withMetadata({ orientation: 6 }).jpeg({ quality: 70 }).toBuffer();
    const copied = await renderForArchive(await decodePage(exifTurned, {}), { rotation: 0, skew: 0 });
    expect(copied.kind).toBe('jpeg');
    expect(copied.bytes.equals(exifTurned)).toBe(false);
    expect([copied.width, copied.height]).toEqual([kept.height, kept.width]);
  });
});
