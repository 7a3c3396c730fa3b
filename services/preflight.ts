// Preflight: what a file really is (from its bytes, never its name or declared type) and whether it
// stays within the limits, decided from headers alone so a decompression bomb or a 3,000-page TIFF
// costs no memory. Full decoding happens later, in the worker.
import sharp, { type Metadata } from 'sharp';
import { fileTypeFromBuffer } from 'file-type';
import { AppError, bi } from './errors.js';
import { inspectPdf } from './pdf-inspect.js';
import { SINGLE_PAGE_IMAGE_TYPES, acceptedFormatNames, heicDecodable, type MediaType } from '../schemas/media-types.js';

export type { MediaType };

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

const AVIF_BRANDS = new Set(['avif', 'avis']);
/** HEIF brands of HEVC-coded stills and sequences (mif1/msf1 alone: the generic HEIF image brands). */
const HEIC_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'mif1', 'msf1']);

/** ISO-BMFF `ftyp` brands (major and compatible): AVIF and HEIC share the HEIF container. */
function heifKind(buf: Buffer): 'image/avif' | 'image/heic' | null {
  if (buf.length < 16 || buf.toString('latin1', 4, 8) !== 'ftyp') return null;
  const size = Math.min(buf.readUInt32BE(0), buf.length, 4096);
  const brands = [buf.toString('latin1', 8, 12)];
  for (let o = 16; o + 4 <= size; o += 4) brands.push(buf.toString('latin1', o, o + 4));
  if (brands.some((b) => AVIF_BRANDS.has(b))) return 'image/avif';
  if (brands.some((b) => HEIC_BRANDS.has(b))) return 'image/heic';
  return null;
}

/**
 * Signature of the accepted formats. PDF allows leading junk, as readers do, within 1 KiB. Phones
 * and messaging apps send WebP and HEIF under any name (a WebP called `.jpg` is common).
 */
export function sniffMediaType(buf: Buffer): MediaType | null {
  if (startsWith(buf, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(buf, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(buf, [0x49, 0x49, 0x2a, 0x00]) || startsWith(buf, [0x4d, 0x4d, 0x00, 0x2a])) return 'image/tiff';
  if (buf.length >= 12 && buf.toString('latin1', 0, 4) === 'RIFF' && buf.toString('latin1', 8, 12) === 'WEBP') return 'image/webp';
  const heif = heifKind(buf);
  if (heif) return heif;
  if (buf.subarray(0, 1024).includes('%PDF-')) return 'application/pdf';
  return null;
}

/** How to turn what was sent into something accepted, for the clerk or the partner's developer. */
const HOW_TO_CONVERT = bi(
  `hãy lưu lại hoặc chụp lại ở dạng JPEG hay PDF (chấp nhận: ${acceptedFormatNames()})`,
  `save or export it as JPEG or PDF (accepted: ${acceptedFormatNames()})`,
);

const HEIC_REFUSED = bi(
  'ảnh HEIC/HEIF (mã HEVC, ảnh chụp iPhone) chưa đọc được trên máy chủ này; trên điện thoại chọn Cài đặt › Camera › Định dạng › "Tương thích nhất" hoặc chia sẻ ảnh dạng JPEG; trên máy tính mở ảnh rồi xuất ra JPEG',
  'HEIC/HEIF (HEVC-coded, iPhone) photos cannot be decoded on this server; on the phone choose Settings › Camera › Formats › "Most Compatible" or share the photo as JPEG; on a computer open it and export as JPEG',
);

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
  // An animated WebP or a HEIF burst is read as its first (primary) image.
  const pages = SINGLE_PAGE_IMAGE_TYPES.has(mediaType) ? 1 : (meta.pages ?? 1);
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
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', bi(`nội dung tệp là ${what.vi}; ${HOW_TO_CONVERT.vi}`, `the file's content is ${what.en}; ${HOW_TO_CONVERT.en}`));
  }
  if (mediaType === 'image/heic' && !heicDecodable()) throw new AppError('UNSUPPORTED_MEDIA_TYPE', HEIC_REFUSED);
  return mediaType === 'application/pdf' ? preflightPdf(buf, limits) : preflightImage(buf, mediaType, limits);
}
