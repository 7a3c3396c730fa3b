// One page of an upload as a picture a browser can show (the review screen): TIFF and PDF pages are
// not displayable as they are, so every page is turned into a JPEG of at most 1600 px a side.
import sharp from 'sharp';
import type { AppContext } from './context.js';
import type { Principal } from './access.js';
import type { DocumentReader } from './documents.js';
import { AppError, bi } from './errors.js';
import { renderPdfPage } from './ocr/pdf-render.js';

const MAX_SIDE = 1600;
/** Enough for a person to read an A4 page on screen at 1600 px, without the cost of OCR's 300 dpi. */
const PDF_DPI = 150;

export async function pageImage(ctx: AppContext, reader: DocumentReader, p: Principal, id: string, n: number): Promise<Buffer> {
  const doc = await reader.record(p, id);
  const pages = doc.pages ?? 1;
  if (!Number.isInteger(n) || n < 1 || n > pages) {
    throw new AppError('NOT_FOUND', bi(`n: tài liệu có ${pages} trang, không có trang ${n}`, `n: the document has ${pages} page(s), there is no page ${n}`), { field: 'n' });
  }
  const bytes = await ctx.store.get(ctx.config.S3_BUCKET_ORIGINALS, doc.originalKey);
  const source =
    doc.mediaType === 'application/pdf'
      ? await renderPdfPage(bytes, n - 1, PDF_DPI, ctx.config.OCR_PAGE_TIMEOUT_MS)
      : bytes;
  try {
    const img = doc.mediaType === 'image/tiff' ? sharp(source, { page: n - 1 }) : sharp(source);
    return await img
      .rotate() // EXIF orientation, as a camera meant it
      .resize({ width: MAX_SIDE, height: MAX_SIDE, fit: 'inside', withoutEnlargement: true })
      .jpeg({ quality: 80 })
      .toBuffer();
  } catch {
    throw new AppError('FILE_CORRUPT', bi(`trang ${n} không đọc được thành ảnh`, `page ${n} cannot be turned into a picture`));
  }
}
