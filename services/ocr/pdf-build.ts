import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import { deflate } from 'node:zlib';
import fontkit from '@pdf-lib/fontkit';
import {
  PDFDocument,
  PDFHexString,
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
  // The page is the bounding box of the turned scan (the OCR frame): the image keeps its own size
  // and is turned about the page centre. PDF y points up, so a clockwise turn is a negative angle.
  const iw = (image.width / image.dpi) * 72;
  const ih = (image.height / image.dpi) * 72;
  const phi = (-image.angle * Math.PI) / 180;
  const cos = Math.abs(Math.cos(phi)) < 1e-12 ? 0 : Math.cos(phi);
  const sin = Math.abs(Math.sin(phi)) < 1e-12 ? 0 : Math.sin(phi);
  const e = wPt / 2 - (iw / 2) * cos + (ih / 2) * sin;
  const f = hPt / 2 - (iw / 2) * sin - (ih / 2) * cos;
  page.pushOperators(
    pushGraphicsState(),
    concatTransformationMatrix(iw * cos, iw * sin, -ih * sin, ih * cos, e, f),
    drawObject(name),
    popGraphicsState(),
  );
}

interface Glyphs {
  hex: string;
  /** Advance width at size 1. */
  width: number;
}

/**
 * Per-character glyph codes and widths, one font (so one document) at a time. pdf-lib's
 * encodeText/widthOfTextAtSize run fontkit's full shaping per call (~1 ms a word, 200+ ms a page on
 * the main thread); NFC Vietnamese needs no shaping and an invisible layer no kerning, so each
 * distinct character is shaped once.
 */
/** Advance widths depend only on the font file, so they outlive a document (one shaping call less per character). */
const advanceWidths = new Map<string, number>();

function glyphCache(font: PDFFont): (text: string) => Glyphs {
  const cache = new Map<string, Glyphs>();
  return (text) => {
    let hex = '';
    let width = 0;
    for (const ch of text) {
      let g = cache.get(ch);
      if (!g) {
        let w = advanceWidths.get(ch);
        if (w === undefined) {
          w = font.widthOfTextAtSize(ch, 1);
          advanceWidths.set(ch, w);
        }
        g = { hex: font.encodeText(ch).asString(), width: w };
        cache.set(ch, g);
      }
      hex += g.hex;
      width += g.width;
    }
    return { hex, width };
  };
}

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Invisible text (render mode 3), one show per word on its line's baseline and squeezed to the
 * word's box, so extraction returns what OCR read and a selection covers the printed word.
 */
async function drawTextLayer(page: PDFPage, font: PDFFont, glyphs: (text: string) => Glyphs, ocr: OcrPage, hPt: number): Promise<void> {
  const k = 72 / ocr.dpi;
  const fontKey = page.node.newFontDictionary(font.name, font.ref);
  const ops = [beginText(), setTextRenderingMode(TextRenderingMode.Invisible)];
  for (const [n, line] of ocr.lines.entries()) {
    const lineH = (line.bbox.y1 - line.bbox.y0) * k;
    const size = Math.max(1, Math.round(lineH * 0.8 * 10) / 10);
    ops.push(setFontAndSize(fontKey, size));
    const y = hPt - line.baseline * k;
    line.words.forEach((word, i) => {
      const g = glyphs(word.text);
      // A real space after each word: extractors otherwise guess word breaks from gaps and glue
      // short words ("Trạm y") together.
      const shown = i < line.words.length - 1 ? g.hex + glyphs(' ').hex : g.hex;
      const natural = g.width * size;
      const boxW = Math.max(0.5, (word.bbox.x1 - word.bbox.x0) * k);
      const squeeze = natural > 0 ? Math.min(1000, Math.max(1, (boxW / natural) * 100)) : 100;
      ops.push(
        setCharacterSqueeze(Math.round(squeeze * 10) / 10),
        setTextMatrix(1, 0, 0, 1, word.bbox.x0 * k, y),
        showText(PDFHexString.of(shown)),
      );
    });
    if (n % 8 === 7) await yieldToLoop();
  }
  ops.push(endText());
  page.pushOperators(...ops);
}

export async function buildSearchablePdf(pages: PdfPageInput[], meta: PdfMeta): Promise<Uint8Array> {
  const doc = await PDFDocument.create({ updateMetadata: false });
  doc.registerFontkit(fontkit);
  const needsFont = pages.some((p) => p.kind === 'image' && p.ocr.lines.length > 0);
  const font = needsFont ? await doc.embedFont(await loadFont(), { subset: true }) : null;
  const glyphs = font ? glyphCache(font) : null;
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
    if (font && glyphs && p.ocr.lines.length > 0) await drawTextLayer(page, font, glyphs, p.ocr, hPt);
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
