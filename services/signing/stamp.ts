// The visible signature stamp: a form XObject used as the signature widget's appearance, so the
// page's own content streams and resources stay untouched by the incremental update.
import {
  PDFHexString, PDFName, PDFOperator, PDFOperatorNames, beginText, endMarkedContent, endText, moveText, popGraphicsState, pushGraphicsState, rectangle,
  setFillingRgbColor, setFontAndSize, setLineWidth, setStrokingRgbColor, showText, stroke,
  type PDFDocument, type PDFRef,
} from 'pdf-lib';
import { embedFontProgram, fontFor, type EmbeddedFont } from './font.js';

const FONT_SIZE = 6.5;
const LINE_GAP = 2;
const PAD = 4;

export interface Stamp {
  ref: PDFRef;
  width: number;
  height: number;
}

/** Vietnam has no DST: UTC+7 all year. */
export function formatVietnamTime(d: Date): string {
  const local = new Date(d.getTime() + 7 * 3_600_000);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${p(local.getUTCDate())}/${p(local.getUTCMonth() + 1)}/${local.getUTCFullYear()} ${p(local.getUTCHours())}:${p(local.getUTCMinutes())}:${p(local.getUTCSeconds())} (GMT+7)`;
}

export function stampLines(signerName: string, signedAt: Date, code: string, extra: string[] = []): string[] {
  return [`Ký bởi: ${signerName}`, `Thời gian ký: ${formatVietnamTime(signedAt)}`, `Mã tài liệu: ${code}`, ...extra];
}

export async function embedStampFont(doc: PDFDocument, lines: string[]): Promise<EmbeddedFont> {
  return embedFontProgram(doc, await fontFor(lines.join('')));
}

export function buildStamp(doc: PDFDocument, font: EmbeddedFont, lines: string[]): Stamp {
  const lineHeight = FONT_SIZE + LINE_GAP;
  const width = Math.ceil(Math.max(...lines.map((l) => font.widthAt(l, FONT_SIZE))) + 2 * PAD);
  const height = Math.ceil(lines.length * lineHeight + 2 * PAD - LINE_GAP);
  const fontName = PDFName.of('F1');
  const ops: PDFOperator[] = [
    pushGraphicsState(),
    // No opaque background: where a scan's own content reaches the margin, both stay visible.
    setStrokingRgbColor(0.8, 0, 0),
    setLineWidth(1),
    rectangle(0.5, 0.5, width - 1, height - 1),
    stroke(),
    setFillingRgbColor(0.8, 0, 0),
    // Empty /ActualText: text extraction (pdftotext, search, copy) skips the stamp, so the document's
    // text stays what was scanned; the signer and time remain readable in the signature itself.
    // poppler honours ActualText only in an inline property list; pdf-lib's operator type has no
    // dictionary argument, though a PDFDict serializes correctly as one.
    PDFOperator.of(PDFOperatorNames.BeginMarkedContentSequence, [
      PDFName.of('Span'),
      doc.context.obj({ ActualText: PDFHexString.of('FEFF') }) as unknown as PDFName,
    ]),
  ];
  lines.forEach((line, i) => {
    const baseline = height - PAD - FONT_SIZE * 0.8 - i * lineHeight;
    ops.push(beginText(), setFontAndSize(fontName, FONT_SIZE), moveText(PAD, baseline), showText(font.encode(line)), endText());
  });
  ops.push(endMarkedContent(), popGraphicsState());
  const stream = doc.context.formXObject(ops, {
    BBox: [0, 0, width, height],
    Resources: { Font: { F1: font.ref } },
  });
  return { ref: doc.context.register(stream), width, height };
}
