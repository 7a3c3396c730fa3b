import { readFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { preflight, sniffMediaType } from '../../services/preflight.js';
import { AppError } from '../../services/errors.js';
import { heicDecodable } from '../../schemas/media-types.js';
import { DEV_CORPUS } from '../helpers/env.js';

const limits = { maxImagePixels: 120_000_000, minImageSide: 100, maxPages: 300 };

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'accepted';
  } catch (err) {
    return err instanceof AppError ? err.code : `unexpected ${(err as Error).message}`;
  }
}

describe('preflight', () => {
  it('accepts every dev-corpus file with its real type and page count', async () => {
    const manifest = JSON.parse(await readFile(path.join(DEV_CORPUS, 'manifest.json'), 'utf8')) as { files: string[]; format: string; pages: number }[];
    const mime: Record<string, string> = { jpg: 'image/jpeg', png: 'image/png', tif: 'image/tiff', pdf: 'application/pdf' };
    for (const s of manifest) {
      for (const f of s.files) {
        const res = await preflight(await readFile(path.join(DEV_CORPUS, f)), limits);
        expect(res.mediaType, f).toBe(mime[s.format]);
        expect(res.pages, f).toBe(s.files.length === 1 ? s.pages : 1);
      }
    }
  });

  it('refuses a multi-page TIFF over the page limit from its header alone', async () => {
    const page = await sharp({ create: { width: 200, height: 200, channels: 3, background: '#fff' } }).png().toBuffer();
    const tiff = await sharp([page, page, page, page], { join: { animated: true } })
      .toColourspace('b-w')
      .tiff({ compression: 'ccittfax4', bitdepth: 1 })
      .toBuffer();
    expect((await preflight(tiff, limits)).pages).toBe(4);
    expect(await codeOf(preflight(tiff, { ...limits, maxPages: 3 }))).toBe('TOO_MANY_PAGES');
  });

  it('sniffs from bytes, never names', async () => {
    expect(sniffMediaType(Buffer.from('%PDF-1.7\n'))).toBe('application/pdf');
    expect(sniffMediaType(Buffer.from('MZ\x90\x00'))).toBeNull();
    expect(sniffMediaType(Buffer.from([0xff, 0xd8, 0xff, 0xe0]))).toBe('image/jpeg');
    expect(await codeOf(preflight(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'), limits))).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('refuses an encrypted or page-less PDF', async () => {
    expect(await codeOf(preflight(Buffer.from('%PDF-1.4\n%%EOF\n'), limits))).toBe('FILE_CORRUPT');
  });

  // Issue #14: phones and messaging apps send WebP (often named .jpg) and HEIF. Before, all were 415.
  it('accepts WebP and AVIF by their bytes, whatever the name says', async () => {
    const jpeg = await readFile(path.join(DEV_CORPUS, 'giay-khai-sinh-02.jpg'));
    const small = sharp(jpeg).resize(600);
    const webp = await small.clone().webp({ quality: 80 }).toBuffer();
    const avif = await small.clone().avif({ quality: 60, effort: 0 }).toBuffer();
    expect(sniffMediaType(webp)).toBe('image/webp');
    expect(sniffMediaType(avif)).toBe('image/avif');
    expect(await preflight(webp, limits)).toMatchObject({ mediaType: 'image/webp', pages: 1, width: 600 });
    expect(await preflight(avif, limits)).toMatchObject({ mediaType: 'image/avif', pages: 1, width: 600 });
  });

  it('refuses HEIC where libvips cannot decode HEVC, saying how to convert; other formats too', async () => {
    // The head of an iPhone photo: ftyp box, major brand heic, compatible mif1/heic.
    const ftyp = Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from('ftypheic\0\0\0\0mif1heic', 'latin1'), Buffer.alloc(200)]);
    expect(sniffMediaType(ftyp)).toBe('image/heic');
    if (!heicDecodable()) {
      const err = await preflight(ftyp, limits).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe('UNSUPPORTED_MEDIA_TYPE');
      const detail = (err as AppError).detail as { vi: string; en: string };
      expect(detail.en).toMatch(/HEIC.*JPEG/);
      expect(detail.vi).toMatch(/HEIC.*JPEG/);
    }
    const gif = await sharp({ create: { width: 200, height: 200, channels: 3, background: '#fff' } }).gif().toBuffer();
    const err = await preflight(gif, limits).catch((e: unknown) => e);
    expect((err as AppError).code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(((err as AppError).detail as { en: string }).en).toMatch(/image\/gif.*export it as JPEG or PDF/);
    // An MP4 shares the ftyp box but is no image.
    expect(sniffMediaType(Buffer.concat([Buffer.from([0, 0, 0, 20]), Buffer.from('ftypisom\0\0\0\0mp41', 'latin1')]))).toBeNull();
  });
});
