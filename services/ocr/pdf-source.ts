import { PDFArray, PDFDict, PDFDocument, PDFName, PDFNumber, PDFRawStream, PDFStream, decodePDFRawStream } from 'pdf-lib';
import { AppError } from '../errors.js';

/** One page of an uploaded PDF, before any pixel is decoded. */
export type PdfPageSource =
  | { kind: 'jpeg'; index: number; bytes: Buffer; dpi: number; rotate: number }
  | { kind: 'text-layer'; index: number }
  | { kind: 'render'; index: number; dpi: number };

function nameOf(v: unknown): string | undefined {
  return v instanceof PDFName ? v.decodeText() : undefined;
}

function filters(dict: PDFDict): string[] {
  const f = dict.lookup(PDFName.of('Filter'));
  if (f instanceof PDFName) return [f.decodeText()];
  if (f instanceof PDFArray) return f.asArray().map((x) => nameOf(x) ?? '?');
  return [];
}

function numberIn(dict: PDFDict, key: string): number | undefined {
  const v = dict.lookup(PDFName.of(key));
  return v instanceof PDFNumber ? v.asNumber() : undefined;
}

function streamBytes(s: PDFStream): Uint8Array {
  return s instanceof PDFRawStream ? decodePDFRawStream(s).decode() : s.getContents();
}

/** True when the page draws text (BT … Tj/TJ), which includes an invisible OCR layer. */
function hasTextOperators(doc: PDFDocument, pageIndex: number): boolean {
  const node = doc.getPage(pageIndex).node;
  const contents = node.Contents();
  const streams: PDFStream[] = [];
  if (contents instanceof PDFStream) streams.push(contents);
  else if (contents instanceof PDFArray) {
    for (let i = 0; i < contents.size(); i++) {
      const s = contents.lookup(i);
      if (s instanceof PDFStream) streams.push(s);
    }
  }
  for (const s of streams) {
    const text = Buffer.from(streamBytes(s)).toString('latin1');
    if (/\bBT\b/.test(text) && /(\bTj|\bTJ|')\s/.test(text)) return true;
  }
  return false;
}

interface PageImage {
  stream: PDFRawStream;
  width: number;
  filters: string[];
}

function pageImages(doc: PDFDocument, pageIndex: number): PageImage[] {
  const resources = doc.getPage(pageIndex).node.Resources();
  const xobjects = resources?.lookup(PDFName.of('XObject'));
  if (!(xobjects instanceof PDFDict)) return [];
  const out: PageImage[] = [];
  for (const [, ref] of xobjects.entries()) {
    const obj = doc.context.lookup(ref);
    if (!(obj instanceof PDFRawStream)) continue;
    if (nameOf(obj.dict.lookup(PDFName.of('Subtype'))) !== 'Image') continue;
    out.push({ stream: obj, width: numberIn(obj.dict, 'Width') ?? 0, filters: filters(obj.dict) });
  }
  return out;
}

export async function loadPdf(bytes: Buffer): Promise<PDFDocument> {
  try {
    return await PDFDocument.load(bytes, { updateMetadata: false });
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    throw new AppError('FILE_CORRUPT', `PDF cannot be parsed: ${msg.slice(0, 200)}`);
  }
}

/**
 * Decide per page how to get its pixels. A scanner's PDF is one JPEG per page: its bytes are taken
 * as they are (no re-rendering, exact resolution). Anything else is rendered at the resolution of
 * its largest image.
 */
export function planPdfPages(doc: PDFDocument): PdfPageSource[] {
  const plan: PdfPageSource[] = [];
  for (let index = 0; index < doc.getPageCount(); index++) {
    if (hasTextOperators(doc, index)) {
      plan.push({ kind: 'text-layer', index });
      continue;
    }
    const page = doc.getPage(index);
    const widthPt = page.getWidth();
    const rotate = ((page.getRotation().angle % 360) + 360) % 360;
    const images = pageImages(doc, index);
    const widest = images.reduce((m, im) => Math.max(m, im.width), 0);
    const turned = rotate === 90 || rotate === 270;
    const pageSpanPt = turned ? page.getHeight() : widthPt;
    const dpi = widest > 0 ? Math.round((widest / pageSpanPt) * 72) : 300;
    const only = images.length === 1 ? images[0] : undefined;
    if (only && only.filters.length === 1 && only.filters[0] === 'DCTDecode') {
      plan.push({ kind: 'jpeg', index, bytes: Buffer.from(only.stream.getContents()), dpi, rotate });
    } else {
      plan.push({ kind: 'render', index, dpi: Math.min(600, Math.max(150, dpi)) });
    }
  }
  return plan;
}
