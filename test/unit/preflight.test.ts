import { readFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { preflight, sniffMediaType } from '../../services/preflight.js';
import { AppError } from '../../services/errors.js';
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
});
