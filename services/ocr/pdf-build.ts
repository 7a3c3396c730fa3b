import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import { deflate } from 'node:zlib';
import fontkit from '@pdf-lib/fontkit';
import {
  PDFDocument,
  TextRenderingMode,
  beginText,
  concatTransformationMatrix,
  drawObject,
  endText,
  popGraphicsState,
  pushGraphicsState,
  setCharacterSqueeze,
  setFontAndSize,
  setTextMatrix,
  setTextRenderingMode,
  showText,
  type PDFFont,
  type PDFPage,
} from 'pdf-lib';
import type { ArchiveImage } from './cleanup.js';
import { applyMetadata } from './metadata.js';
import type { OcrPage, PdfMeta } from './types.js';

const deflateAsync = promisify(deflate);
const require = createRequire(import.meta.url);

let fontBytes: Promise<Buffer> | null = null;
/** DejaVu Sans covers every precomposed Vietnamese letter, so the text layer round-trips. */
function loadFont(): Promise<Buffer> {
  fontBytes ??= readFile(path.join(path.dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf', 'DejaVuSans.ttf'));
  return fontBytes;
}

export type PdfPageInput =
  | { kind: 'image'; image: ArchiveImage; ocr: OcrPage }
  | { kind: 'copy'; source: PDFDocument; sourceIndex: number };

async function drawImage(doc: PDFDocument, page: PDFPage, image: ArchiveImage, wPt: number, hPt: number): Promise<void> {
  let ref;
  if (image.kind === 'jpeg') {
    ref = (await doc.embedJpg(image.bytes)).ref;
  } else {
    // 1-bit Flate keeps a bilevel scan small (pdf-lib's PNG path would expand it to 8-bit RGB).
    const packed = await deflateAsync(image.bytes, { level: 6 });
    const stream = doc.context.stream(packed, {
      Type: 'XObject',
      Subtype: 'Image',
      Width: image.width,
      Height: image.height,
      ColorSpace: 'DeviceGray',
      BitsPerComponent: 1,
      Filter: 'FlateDecode',
    });
    ref = doc.context.register(stream);
  }
  const name = page.node.newXObject('Scan', ref);
  page.pushOperators(pushGraphicsState(), concatTransformationMatrix(wPt, 0, 0, hPt, 0, 0), drawObject(name), popGraphicsState());
}

/**
 * Invisible text (render mode 3), one show per word on its line's baseline and squeezed to the
 * word's box, so extraction returns what OCR read and a selection covers the printed word.
 */
function drawTextLayer(page: PDFPage, font: PDFFont, ocr: OcrPage, hPt: number): void {
  const k = 72 / ocr.dpi;
  const fontKey = page.node.newFontDictionary(font.name, font.ref);
  const ops = [beginText(), setTextRenderingMode(TextRenderingMode.Invisible)];
  for (const line of ocr.lines) {
    const lineH = (line.bbox.y1 - line.bbox.y0) * k;
    const size = Math.max(1, Math.round(lineH * 0.8 * 10) / 10);
    ops.push(setFontAndSize(fontKey, size));
    const y = hPt - line.baseline * k;
    line.words.forEach((word, i) => {
      // A real space after each word: extractors otherwise guess word breaks from gaps and glue
      // short words ("Trạm y") together.
      const shown = i < line.words.length - 1 ? `${word.text} ` : word.text;
      const natural = font.widthOfTextAtSize(word.text, size);
      const boxW = Math.max(0.5, (word.bbox.x1 - word.bbox.x0) * k);
      const squeeze = natural > 0 ? Math.min(1000, Math.max(1, (boxW / natural) * 100)) : 100;
      ops.push(setCharacterSqueeze(Math.round(squeeze * 10) / 10), setTextMatrix(1, 0, 0, 1, word.bbox.x0 * k, y), showText(font.encodeText(shown)));
    });
  }
  ops.push(endText());
  page.pushOperators(...ops);
}

export async function buildSearchablePdf(pages: PdfPageInput[], meta: PdfMeta): Promise<Uint8Array> {
  const doc = await PDFDocument.create({ updateMetadata: false });
  doc.registerFontkit(fontkit);
  const needsFont = pages.some((p) => p.kind === 'image' && p.ocr.lines.length > 0);
  const font = needsFont ? await doc.embedFont(await loadFont(), { subset: true }) : null;
  for (const p of pages) {
    if (p.kind === 'copy') {
      const [copied] = await doc.copyPages(p.source, [p.sourceIndex]);
      if (copied) doc.addPage(copied);
      continue;
    }
    const wPt = (p.ocr.width / p.ocr.dpi) * 72;
    const hPt = (p.ocr.height / p.ocr.dpi) * 72;
    const page = doc.addPage([wPt, hPt]);
    await drawImage(doc, page, p.image, wPt, hPt);
    if (font && p.ocr.lines.length > 0) drawTextLayer(page, font, p.ocr, hPt);
  }
  applyMetadata(doc, meta);
  return doc.save({ useObjectStreams: false });
}

/**
 * Loads fontkit and parses the font once at start-up: the first parse takes a few hundred ms of
 * main-thread time that should not land in the middle of a job.
 */
export async function warmUpPdfBuilder(): Promise<void> {
  const doc = await PDFDocument.create({ updateMetadata: false });
  doc.registerFontkit(fontkit);
  const font = await doc.embedFont(await loadFont(), { subset: true });
  font.encodeText('Việt Nam');
  await doc.save();
}
