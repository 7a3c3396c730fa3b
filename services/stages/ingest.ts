// First pipeline stage: read the original back from the object store, prove it is the bytes we
// acknowledged (SHA-256), decode every page once so a damaged file fails here with a reason, and count
// its pages.
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { PDFDocument } from 'pdf-lib';
import * as documents from '../../storage/catalog/documents.js';
import type { AppContext } from '../context.js';
import { AppError, bi } from '../errors.js';
import type { MediaType } from '../preflight.js';

async function decodeImagePages(bytes: Buffer, maxPixels: number): Promise<number> {
  const meta = await sharp(bytes, { limitInputPixels: maxPixels }).metadata();
  const pages = meta.pages ?? 1;
  for (let page = 0; page < pages; page++) {
    try {
      // A full decode (into a tiny thumbnail) is what finds truncated or garbled pixel data.
      await sharp(bytes, { page, failOn: 'truncated', limitInputPixels: maxPixels })
        .resize(32, 32, { fit: 'inside' })
        .raw()
        .toBuffer();
    } catch (err) {
      // The image library's words stay in the log; the clerk reads which page and what to do.
      throw new AppError('PAGE_UNREADABLE', bi(`trang ${page + 1} bị hỏng hoặc bị cắt cụt; hãy quét lại`, `page ${page + 1} is damaged or cut short; scan it again`), {
        cause: err,
      });
    }
  }
  return pages;
}

async function countPdfPages(bytes: Buffer): Promise<number> {
  try {
    const doc = await PDFDocument.load(bytes, { ignoreEncryption: true, updateMetadata: false });
    return doc.getPageCount();
  } catch (err) {
    throw new AppError('FILE_CORRUPT', bi('không đọc được cấu trúc tệp PDF', 'the PDF structure cannot be read'), { cause: err });
  }
}

export async function loadVerifiedOriginal(ctx: AppContext, doc: documents.DocumentRecord): Promise<Buffer> {
  const bytes = await ctx.store.get(ctx.config.S3_BUCKET_ORIGINALS, doc.originalKey);
  const sha = createHash('sha256').update(bytes).digest('hex');
  if (sha !== doc.sha256) throw new AppError('INTEGRITY_MISMATCH', `stored ${sha.slice(0, 12)}…, expected ${doc.sha256.slice(0, 12)}…`);
  return bytes;
}

export async function ingestDocument(ctx: AppContext, doc: documents.DocumentRecord): Promise<void> {
  const bytes = await loadVerifiedOriginal(ctx, doc);
  const pages =
    doc.mediaType === 'application/pdf'
      ? await countPdfPages(bytes)
      : await decodeImagePages(bytes, ctx.config.MAX_IMAGE_PIXELS);
  if (pages < 1) throw new AppError('FILE_CORRUPT', 'no pages');
  if (pages > ctx.config.MAX_PAGES) throw new AppError('TOO_MANY_PAGES', bi(`${pages} trang, tối đa ${ctx.config.MAX_PAGES}`, `${pages} pages, at most ${ctx.config.MAX_PAGES}`));
  // Commits the next step with the result: `processing` calls for OCR (services/pipeline.ts).
  await documents.finishIngest(ctx.db, doc.id, pages);
}

export type { MediaType };
