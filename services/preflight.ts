// Preflight: what a file really is (from its bytes, never its name or declared type) and whether it
// stays within the limits, decided from headers alone so a decompression bomb or a 3,000-page TIFF
// costs no memory. Full decoding happens later, in the worker.
import sharp, { type Metadata } from 'sharp';
import { fileTypeFromBuffer } from 'file-type';
import { PDFDocument } from 'pdf-lib';
import { AppError } from './errors.js';

export type MediaType = 'image/jpeg' | 'image/png' | 'image/tiff' | 'application/pdf';

export interface PreflightLimits {
  maxImagePixels: number;
  minImageSide: number;
  maxPages: number;
}

export interface Preflight {
  mediaType: MediaType;
  pages: number;
  width: number | null;
  height: number | null;
}

const startsWith = (buf: Buffer, bytes: number[]) => bytes.every((b, i) => buf[i] === b);

/** Signature of the four accepted formats. PDF allows leading junk, as readers do, within 1 KiB. */
export function sniffMediaType(buf: Buffer): MediaType | null {
  if (startsWith(buf, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(buf, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(buf, [0x49, 0x49, 0x2a, 0x00]) || startsWith(buf, [0x4d, 0x4d, 0x00, 0x2a])) return 'image/tiff';
  if (buf.subarray(0, 1024).includes('%PDF-')) return 'application/pdf';
  return null;
}

async function describeUnsupported(buf: Buffer): Promise<string> {
  const detected = await fileTypeFromBuffer(buf).catch(() => undefined);
  if (detected) return `detected ${detected.mime}`;
  const head = buf.subarray(0, 512).toString('latin1');
  if (/<svg|<\?xml|<!DOCTYPE/i.test(head)) return 'detected XML/SVG';
  return 'unrecognized content';
}

function checkJpegComplete(buf: Buffer): void {
  // A cut-short JPEG still has a valid header; its end-of-image marker is what goes missing.
  const tail = buf.subarray(Math.max(0, buf.length - 64));
  for (let i = tail.length - 2; i >= 0; i--) {
    if (tail[i] === 0xff && tail[i + 1] === 0xd9) return;
  }
  throw new AppError('FILE_CORRUPT', 'JPEG data ends before its end-of-image marker');
}

function checkPngComplete(buf: Buffer): void {
  if (!buf.subarray(Math.max(0, buf.length - 64)).includes('IEND')) {
    throw new AppError('FILE_CORRUPT', 'PNG data ends before its IEND chunk');
  }
}

async function preflightImage(buf: Buffer, mediaType: MediaType, limits: PreflightLimits): Promise<Preflight> {
  let meta: Metadata;
  try {
    meta = await sharp(buf, { limitInputPixels: false }).metadata();
  } catch (err) {
    throw new AppError('FILE_CORRUPT', (err as Error).message.slice(0, 200));
  }
  const width = meta.width ?? 0;
  const height = meta.pageHeight ?? meta.height ?? 0;
  const pages = meta.pages ?? 1;
  if (width * height > limits.maxImagePixels) {
    throw new AppError('IMAGE_TOO_LARGE', `${width}×${height} pixels, limit ${limits.maxImagePixels}`);
  }
  if (Math.min(width, height) < limits.minImageSide) {
    throw new AppError('IMAGE_TOO_SMALL', `${width}×${height} pixels, at least ${limits.minImageSide} on each side`);
  }
  if (pages > limits.maxPages) throw new AppError('TOO_MANY_PAGES', `${pages} pages, limit ${limits.maxPages}`);
  if (mediaType === 'image/jpeg') checkJpegComplete(buf);
  if (mediaType === 'image/png') checkPngComplete(buf);
  return { mediaType, pages, width, height };
}

async function preflightPdf(buf: Buffer, limits: PreflightLimits): Promise<Preflight> {
  let doc: PDFDocument;
  try {
    doc = await PDFDocument.load(buf, { ignoreEncryption: true, updateMetadata: false, throwOnInvalidObject: false });
  } catch (err) {
    throw new AppError('FILE_CORRUPT', `PDF cannot be parsed: ${(err as Error).message.slice(0, 160)}`);
  }
  if (doc.isEncrypted) throw new AppError('FILE_CORRUPT', 'PDF is encrypted');
  let pages: number;
  try {
    pages = doc.getPageCount();
  } catch {
    throw new AppError('FILE_CORRUPT', 'PDF page tree is damaged');
  }
  if (pages === 0) throw new AppError('FILE_CORRUPT', 'PDF has no pages');
  if (pages > limits.maxPages) throw new AppError('TOO_MANY_PAGES', `${pages} pages, limit ${limits.maxPages}`);
  return { mediaType: 'application/pdf', pages, width: null, height: null };
}

export async function preflight(buf: Buffer, limits: PreflightLimits): Promise<Preflight> {
  if (buf.length === 0) throw new AppError('FILE_EMPTY');
  const mediaType = sniffMediaType(buf);
  if (!mediaType) throw new AppError('UNSUPPORTED_MEDIA_TYPE', await describeUnsupported(buf));
  return mediaType === 'application/pdf' ? preflightPdf(buf, limits) : preflightImage(buf, mediaType, limits);
}
