import sharp from 'sharp';
import type { PDFDocument } from 'pdf-lib';
import { AppError } from '../errors.js';
import { decodePage, type DecodedPage } from './cleanup.js';
import { loadPdf, planPdfPages } from './pdf-source.js';
import { renderPdfPage } from './pdf-render.js';
import type { MediaType } from './types.js';

/** A page of the upload, decoded only when its turn comes so a long file does not sit in memory. */
export type PageSource =
  | { kind: 'image'; index: number; decode: () => Promise<DecodedPage> }
  | { kind: 'text-layer'; index: number; pdf: PDFDocument; pdfIndex: number };

export interface SplitOptions {
  maxPixels?: number;
  renderTimeoutMs: number;
}

async function tiffPageCount(bytes: Buffer): Promise<number> {
  try {
    const meta = await sharp(bytes).metadata();
    return meta.pages ?? 1;
  } catch (err) {
    throw new AppError('FILE_CORRUPT', `TIFF cannot be read: ${err instanceof Error ? err.message.slice(0, 200) : String(err)}`);
  }
}

export async function splitPages(
  bytes: Buffer,
  mediaType: MediaType,
  opts: SplitOptions,
): Promise<{ pages: PageSource[]; pdf: PDFDocument | null }> {
  const limit = { maxPixels: opts.maxPixels };
  switch (mediaType) {
    case 'image/jpeg':
    case 'image/png':
    case 'image/webp':
    case 'image/avif':
    case 'image/heic':
      return { pages: [{ kind: 'image', index: 0, decode: () => decodePage(bytes, limit) }], pdf: null };
    case 'image/tiff': {
      const n = await tiffPageCount(bytes);
      const pages: PageSource[] = Array.from({ length: n }, (_, i) => ({
        kind: 'image' as const,
        index: i,
        decode: () => decodePage(bytes, { ...limit, page: i }),
      }));
      return { pages, pdf: null };
    }
    case 'application/pdf': {
      const pdf = await loadPdf(bytes);
      const pages: PageSource[] = planOrCorrupt(pdf).map((p): PageSource => {
        if (p.kind === 'text-layer') return { kind: 'text-layer', index: p.index, pdf, pdfIndex: p.index };
        if (p.kind === 'jpeg') {
          return {
            kind: 'image',
            index: p.index,
            decode: async () => {
              // A /Rotate on the page is part of how it is meant to be seen.
              const jpeg = p.rotate ? await sharp(p.bytes).rotate(p.rotate).jpeg({ quality: 92 }).toBuffer().catch(() => p.bytes) : p.bytes;
              return decodePage(jpeg, { ...limit, dpiHint: p.dpi });
            },
          };
        }
        return {
          kind: 'image',
          index: p.index,
          decode: async () => decodePage(await renderPdfPage(bytes, p.index, p.dpi, opts.renderTimeoutMs), { ...limit, dpiHint: p.dpi }),
        };
      });
      return { pages, pdf };
    }
  }
}

function planOrCorrupt(pdf: PDFDocument): ReturnType<typeof planPdfPages> {
  try {
    const plan = planPdfPages(pdf);
    if (plan.length === 0) throw new Error('no pages');
    return plan;
  } catch (err) {
    throw new AppError('FILE_CORRUPT', `PDF page tree cannot be read: ${err instanceof Error ? err.message.slice(0, 200) : String(err)}`);
  }
}

/** Page count from headers only: no pixel is decoded. */
export async function countPages(bytes: Buffer, mediaType: MediaType): Promise<number> {
  switch (mediaType) {
    case 'image/jpeg':
    case 'image/png':
    case 'image/webp':
    case 'image/avif':
    case 'image/heic':
      return 1;
    case 'image/tiff':
      return tiffPageCount(bytes);
    case 'application/pdf': {
      const pdf = await loadPdf(bytes);
      try {
        return pdf.getPageCount();
      } catch {
        throw new AppError('FILE_CORRUPT', 'PDF page tree cannot be read');
      }
    }
  }
}
