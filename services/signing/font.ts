// The stamp font: a DejaVu Sans subset covering ASCII and the whole Vietnamese alphabet, built once
// per process and embedded as ready-made objects. Building a subset with pdf-lib for every document
// cost 20-40 ms, more than everything else in signing together.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { deflateSync } from 'node:zlib';
import fontkit from '@pdf-lib/fontkit';
import { PDFHexString, PDFString, type PDFDocument, type PDFRef } from 'pdf-lib';

const require = createRequire(import.meta.url);

type Face = ReturnType<typeof fontkit.create>;

export interface FontProgram {
  /** Unicode code point -> glyph id in the subset. */
  gids: Map<number, number>;
  /** Advance widths in 1/1000 em, by subset glyph id. */
  widths: number[];
  fontFileDeflated: Buffer;
  fontFileLength: number;
  toUnicodeDeflated: Buffer;
  descriptor: { ascent: number; descent: number; capHeight: number; bbox: number[]; italicAngle: number };
  baseFont: string;
}

const VIETNAMESE =
  'ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝàáâãèéêìíòóôõùúýĂăĐđĨĩŨũƠơƯư' +
  Array.from({ length: 0x1ef9 - 0x1ea0 + 1 }, (_, i) => String.fromCodePoint(0x1ea0 + i)).join('');
const PUNCTUATION = '–—‘’“”…•°№';
const ASCII = Array.from({ length: 0x7e - 0x20 + 1 }, (_, i) => String.fromCodePoint(0x20 + i)).join('');
const BASE_CHARSET = ASCII + VIETNAMESE + PUNCTUATION;

let face: Face | null = null;
function dejavu(): Face {
  face ??= fontkit.create(new Uint8Array(readFileSync(require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf'))));
  return face;
}

async function encodeSubset(subset: ReturnType<Face['createSubset']>): Promise<Buffer> {
  return new Promise((resolve) => {
    const parts: Uint8Array[] = [];
    subset.encodeStream().on('data', (d) => parts.push(d)).on('end', () => resolve(Buffer.concat(parts)));
  });
}

const hex4 = (n: number): string => n.toString(16).padStart(4, '0');

function toUnicodeCMap(gids: Map<number, number>): string {
  const entries = [...gids].map(([cp, gid]) => `<${hex4(gid)}> <${Buffer.from(String.fromCodePoint(cp), 'utf16le').swap16().toString('hex')}>`);
  const chunks: string[] = [];
  for (let i = 0; i < entries.length; i += 100) {
    const part = entries.slice(i, i + 100);
    chunks.push(`${part.length} beginbfchar\n${part.join('\n')}\nendbfchar`);
  }
  return [
    '/CIDInit /ProcSet findresource begin', '12 dict begin', 'begincmap',
    '/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def',
    '/CMapName /Adobe-Identity-UCS def', '/CMapType 2 def',
    '1 begincodespacerange', '<0000> <ffff>', 'endcodespacerange',
    ...chunks, 'endcmap', 'CMapName currentdict /CMap defineresource pop', 'end', 'end',
  ].join('\n');
}

async function buildProgram(charset: string): Promise<FontProgram> {
  const f = dejavu();
  const subset = f.createSubset();
  const gids = new Map<number, number>();
  const widths: number[] = [];
  const scale = 1000 / f.unitsPerEm;
  widths[0] = Math.round(f.getGlyph(0).advanceWidth * scale);
  for (const ch of new Set(charset)) {
    const cp = ch.codePointAt(0) ?? 0;
    const glyph = f.glyphForCodePoint(cp);
    if (glyph.id === 0) continue;
    const gid = subset.includeGlyph(glyph);
    gids.set(cp, gid);
    widths[gid] = Math.round(glyph.advanceWidth * scale);
  }
  const fontFile = await encodeSubset(subset);
  // A deterministic subset tag: same charset, same name, so signing stays reproducible.
  const tag = [...createHash('sha256').update(charset).digest().subarray(0, 6)].map((b) => String.fromCharCode(65 + (b % 26))).join('');
  const bb = f.bbox;
  return {
    gids,
    widths: Array.from(widths, (w) => w ?? 0),
    fontFileDeflated: deflateSync(fontFile),
    fontFileLength: fontFile.length,
    toUnicodeDeflated: deflateSync(Buffer.from(toUnicodeCMap(gids), 'latin1')),
    descriptor: {
      ascent: Math.round(f.ascent * scale),
      descent: Math.round(f.descent * scale),
      capHeight: Math.round((f.capHeight || f.ascent) * scale),
      bbox: [bb.minX, bb.minY, bb.maxX, bb.maxY].map((v) => Math.round(v * scale)),
      italicAngle: f.italicAngle,
    },
    baseFont: `${tag}+${f.postscriptName}`,
  };
}

let basePromise: Promise<FontProgram> | null = null;

/** The font program for `text`: the shared one, or (rarely) a wider one when text needs more glyphs. */
export async function fontFor(text: string): Promise<FontProgram> {
  basePromise ??= buildProgram(BASE_CHARSET);
  const base = await basePromise;
  const missing = [...text.normalize('NFC')].filter((ch) => !base.gids.has(ch.codePointAt(0) ?? 0) && dejavu().hasGlyphForCodePoint(ch.codePointAt(0) ?? 0));
  return missing.length === 0 ? base : buildProgram(BASE_CHARSET + missing.join(''));
}

export interface EmbeddedFont {
  ref: PDFRef;
  encode(text: string): PDFHexString;
  widthAt(text: string, size: number): number;
}

export function embedFontProgram(doc: PDFDocument, p: FontProgram): EmbeddedFont {
  const ctx = doc.context;
  const fontFile = ctx.register(
    ctx.stream(p.fontFileDeflated, { Filter: 'FlateDecode', Length1: p.fontFileLength }),
  );
  const toUnicode = ctx.register(ctx.stream(p.toUnicodeDeflated, { Filter: 'FlateDecode' }));
  const descriptor = ctx.register(
    ctx.obj({
      Type: 'FontDescriptor',
      FontName: p.baseFont,
      Flags: 32, // nonsymbolic
      FontBBox: p.descriptor.bbox,
      ItalicAngle: p.descriptor.italicAngle,
      Ascent: p.descriptor.ascent,
      Descent: p.descriptor.descent,
      CapHeight: p.descriptor.capHeight,
      StemV: 80,
      FontFile2: fontFile,
    }),
  );
  const cidFont = ctx.obj({
    Type: 'Font',
    Subtype: 'CIDFontType2',
    BaseFont: p.baseFont,
    CIDSystemInfo: { Registry: PDFString.of('Adobe'), Ordering: PDFString.of('Identity'), Supplement: 0 },
    FontDescriptor: descriptor,
    W: [0, p.widths],
    CIDToGIDMap: 'Identity',
  });
  const ref = ctx.register(
    ctx.obj({
      Type: 'Font',
      Subtype: 'Type0',
      BaseFont: p.baseFont,
      Encoding: 'Identity-H',
      DescendantFonts: [ctx.register(cidFont)],
      ToUnicode: toUnicode,
    }),
  );
  const glyphs = (text: string): number[] => [...text.normalize('NFC')].map((ch) => p.gids.get(ch.codePointAt(0) ?? 0) ?? 0);
  return {
    ref,
    encode: (text) => PDFHexString.of(glyphs(text).map(hex4).join('')),
    widthAt: (text, size) => (glyphs(text).reduce((sum, g) => sum + (p.widths[g] ?? 0), 0) * size) / 1000,
  };
}
