// Preflight: what a file really is (from its bytes, never its name or declared type) and whether it
// stays within the limits, decided from headers alone so a decompression bomb or a 3,000-page TIFF
// costs no memory. Full decoding happens later, in the worker.
import sharp, { type Metadata } from 'sharp';
import { fileTypeFromBuffer } from 'file-type';
import { AppError, bi } from './errors.js';
import { inspectPdf } from './pdf-inspect.js';

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

async function describeUnsupported(buf: Buffer): Promise<{ vi: string; en: string }> {
  const detected = await fileTypeFromBuffer(buf).catch(() => undefined);
  if (detected) return { vi: detected.mime, en: detected.mime };
  const head = buf.subarray(0, 512).toString('latin1');
  if (/<svg|<\?xml|<!DOCTYPE/i.test(head)) return { vi: 'XML/SVG', en: 'XML/SVG' };
  return { vi: 'không nhận ra được', en: 'not recognized' };
}

function checkJpegComplete(buf: Buffer): void {
  // A cut-short JPEG still has a valid header; its end-of-image marker is what goes missing.
  const tail = buf.subarray(Math.max(0, buf.length - 64));
  for (let i = tail.length - 2; i >= 0; i--) {
    if (tail[i] === 0xff && tail[i + 1] === 0xd9) return;
  }
  throw new AppError('FILE_CORRUPT', bi('tệp JPEG bị cắt cụt (thiếu phần cuối)', 'the JPEG is cut short (its end is missing)'));
}

function checkPngComplete(buf: Buffer): void {
  if (!buf.subarray(Math.max(0, buf.length - 64)).includes('IEND')) {
    throw new AppError('FILE_CORRUPT', bi('tệp PNG bị cắt cụt (thiếu phần cuối)', 'the PNG is cut short (its end is missing)'));
  }
}

async function preflightImage(buf: Buffer, mediaType: MediaType, limits: PreflightLimits): Promise<Preflight> {
  let meta: Metadata;
  try {
    meta = await sharp(buf, { limitInputPixels: false }).metadata();
  } catch (err) {
    throw new AppError('FILE_CORRUPT', bi('ảnh bị hỏng hoặc không đúng định dạng', 'the image is damaged or not what its header says'), { cause: err });
  }
  const width = meta.width ?? 0;
  const height = meta.pageHeight ?? meta.height ?? 0;
  const pages = meta.pages ?? 1;
  if (width * height > limits.maxImagePixels) {
    throw new AppError('IMAGE_TOO_LARGE', bi(`${width}×${height} điểm ảnh, tối đa ${limits.maxImagePixels}`, `${width}×${height} pixels, at most ${limits.maxImagePixels}`));
  }
  if (Math.min(width, height) < limits.minImageSide) {
    throw new AppError('IMAGE_TOO_SMALL', bi(`${width}×${height} điểm ảnh, mỗi cạnh cần ít nhất ${limits.minImageSide}`, `${width}×${height} pixels, at least ${limits.minImageSide} on each side`));
  }
  if (pages > limits.maxPages) throw new AppError('TOO_MANY_PAGES', bi(`${pages} trang, tối đa ${limits.maxPages}`, `${pages} pages, at most ${limits.maxPages}`));
  if (mediaType === 'image/jpeg') checkJpegComplete(buf);
  if (mediaType === 'image/png') checkPngComplete(buf);
  return { mediaType, pages, width, height };
}

const PDF_PROBLEMS = {
  unparseable: bi('không đọc được cấu trúc tệp PDF', 'the PDF structure cannot be read'),
  encrypted: bi('tệp PDF có mật khẩu hoặc bị mã hóa; hãy gửi bản không khóa', 'the PDF is password-protected or encrypted; send an unlocked copy'),
  'page-tree': bi('cây trang của tệp PDF bị hỏng', "the PDF's page tree is damaged"),
  timeout: bi('tệp PDF quá phức tạp để đọc trong thời gian cho phép', 'the PDF is too complex to read in the time allowed'),
} as const;

const ACTIVE_VI: Record<string, string> = {
  JavaScript: 'mã JavaScript',
  'automatic actions (AA)': 'hành động tự chạy (AA)',
  'an XFA form': 'biểu mẫu XFA',
  'embedded files': 'tệp đính kèm',
  'rich media': 'nội dung đa phương tiện',
  'document-level JavaScript or embedded files': 'mã JavaScript hoặc tệp đính kèm cấp tài liệu',
};

/** The worker's finding (English) in Vietnamese. */
function activeVi(found: string): string {
  return (
    ACTIVE_VI[found] ??
    found
      .replace(/^an OpenAction \((.*)\)$/, 'hành động khi mở tệp (OpenAction $1)')
      .replace(/^a (\w+) action$/, 'hành động $1')
      .replace(/^a (\w+) annotation$/, 'chú thích $1')
  );
}

async function preflightPdf(buf: Buffer, limits: PreflightLimits): Promise<Preflight> {
  const r = await inspectPdf(buf);
  if (!r.ok) throw new AppError('FILE_CORRUPT', PDF_PROBLEMS[r.problem]);
  if (r.pages === 0) throw new AppError('FILE_CORRUPT', bi('tệp PDF không có trang nào', 'the PDF has no pages'));
  if (r.pages > limits.maxPages) throw new AppError('TOO_MANY_PAGES', bi(`${r.pages} trang, tối đa ${limits.maxPages}`, `${r.pages} pages, at most ${limits.maxPages}`));
  if (r.active) throw new AppError('PDF_ACTIVE_CONTENT', bi(`tệp có ${activeVi(r.active)}`, `it carries ${r.active}`));
  if (r.blank) throw new AppError('PDF_BLANK');
  return { mediaType: 'application/pdf', pages: r.pages, width: null, height: null };
}

export async function preflight(buf: Buffer, limits: PreflightLimits): Promise<Preflight> {
  if (buf.length === 0) throw new AppError('FILE_EMPTY');
  const mediaType = sniffMediaType(buf);
  if (!mediaType) {
    const what = await describeUnsupported(buf);
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', bi(`nội dung tệp là ${what.vi}`, `the file's content is ${what.en}`));
  }
  return mediaType === 'application/pdf' ? preflightPdf(buf, limits) : preflightImage(buf, mediaType, limits);
}
