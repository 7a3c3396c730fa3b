import sharp, { type Metadata, type Sharp } from 'sharp';
import { AppError } from '../errors.js';
import type { Rotation } from './types.js';
import { colourToGrey, greyToOcr } from './colour.js';
import { estimateSkew, inkMap, medianGlyphHeight, type InkMap } from './skew.js';

/** The resolution tesseract's LSTM models read best at (x-height of body text ~ 25–30 px). */
export const OCR_DPI = 300;

export interface DecodedPage {
  /** Upright per EXIF, original pixels: what the archive copy is made from. */
  raw: Buffer;
  width: number;
  height: number;
  channels: 1 | 3;
  bilevel: boolean;
  dpi: number;
  /** True when `dpi` is a guess (no believable header or hint): the text size then sets the scale. */
  dpiGuessed: boolean;
  /** Greyscale with coloured ink (seals, signatures) washed out: what OCR sees. */
  grey: Buffer;
  /** The scanned JPEG itself when the archive copy can be exactly those bytes (see `passThroughJpeg`). */
  jpeg?: Buffer;
}

/** Above this many bytes per pixel a scan's own JPEG is bigger than a q75 copy is worth. */
const PASS_THROUGH_MAX_BYTES_PER_PIXEL = 0.15;

/**
 * The archive keeps the scanned JPEG bytes when they already are an upright, RGB or grey JPEG of
 * reasonable size: no second lossy generation, and no encode (~150 ms of CPU a colour page).
 */
function passThroughJpeg(input: Buffer, meta: Metadata, width: number, height: number): Buffer | undefined {
  if (meta.format !== 'jpeg') return undefined;
  if (meta.orientation !== undefined && meta.orientation !== 1) return undefined;
  if (meta.space !== 'srgb' && meta.space !== 'b-w') return undefined;
  if (meta.width !== width || meta.height !== height) return undefined;
  if (input.length > PASS_THROUGH_MAX_BYTES_PER_PIXEL * width * height) return undefined;
  return input;
}

export interface Geometry {
  rotation: Rotation;
  /** Degrees the text lines descended to the right before correction. */
  skew: number;
}

export interface OcrImage {
  /** Binary PGM of the upright, deskewed, cleaned page (at the reading resolution). */
  png: Buffer;
  width: number;
  height: number;
  dpi: number;
  /** Frame pixels per PGM pixel: OCR boxes are multiplied by this. */
  scale: number;
}

export interface ArchiveImage {
  kind: 'jpeg' | 'bilevel';
  /** JPEG file bytes, or packed 1-bit rows (1 = white) for bilevel. */
  bytes: Buffer;
  width: number;
  height: number;
  /** Pixels per inch of `bytes`. */
  dpi: number;
  /** Clockwise degrees the image is turned by when drawn (quarter turn plus deskew). */
  angle: number;
  grey: boolean;
}

/** Pixel loops run in slices so the event loop (queue lock renewals) never waits more than a few ms. */
const CHUNK_PIXELS = 1 << 19;
const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

const SHARP_OPTS = { failOn: 'truncated' as const, sequentialRead: true };

function unreadable(err: unknown): AppError {
  const msg = err instanceof Error ? err.message : String(err);
  if (/pixel limit/i.test(msg)) return new AppError('IMAGE_TOO_LARGE', msg.slice(0, 200));
  return new AppError('PAGE_UNREADABLE', `image cannot be decoded: ${msg.slice(0, 200)}`);
}

/** A4's short side is 8.27 in; used when the file carries no resolution, or one that cannot be true. */
function guessDpi(width: number, height: number): number {
  const dpi = Math.min(width, height) / 8.27;
  return Math.min(600, Math.max(72, Math.round(dpi / 50) * 50));
}

/** Short side of the papers a desk receives, in inches: from an ID card (2.1) to A3 (11.7), with margin. */
const PLAUSIBLE_SHORT_SIDE_IN = { min: 2, max: 13 };

/**
 * The resolution a page is read at. Many writers (phones, JPEG encoders, some scanners) stamp the
 * JFIF default of 72 dpi whatever the pixels are: a 2480 px wide A4 scan "at 72 dpi" would be a
 * 34-inch sheet, and trusting it meant upscaling the page 4x before OCR (40x slower, worse reading).
 * A header is believed only when the paper size it implies is one a desk could receive.
 */
export function pageDpi(density: number | undefined, width: number, height: number): number {
  return resolveDpi(density, width, height).dpi;
}

function resolveDpi(density: number | undefined, width: number, height: number): { dpi: number; guessed: boolean } {
  if (density && density >= 72) {
    const shortIn = Math.min(width, height) / density;
    if (shortIn >= PLAUSIBLE_SHORT_SIDE_IN.min && shortIn <= PLAUSIBLE_SHORT_SIDE_IN.max) return { dpi: density, guessed: false };
  }
  return { dpi: guessDpi(width, height), guessed: true };
}

/**
 * Decoded pages are shrunk to at most this many pixels (A4 at 600 dpi is 34.8 Mpx): a 48 Mpx phone
 * photo or a 1200 dpi scan holds no more readable text, and every later step scales with pixels.
 */
export const MAX_WORK_PIXELS = 36_000_000;

/** Cap on the image tesseract reads (A4 at 300 dpi is 8.7 Mpx), whatever the size or metadata. */
export const MAX_READ_PIXELS = 12_000_000;

/**
 * Median x-height of body text in inches, measured on the dev corpus (glyph blobs on the ink map:
 * 0.099–0.116 in on 13 of 14 pages, 300 and 200 dpi scans and photos alike).
 */
export const BODY_X_HEIGHT_IN = 0.1;

/**
 * Red seals and blue signatures sit on top of the text. They are strongly saturated while black
 * text (even where it crosses a seal) is not, so saturation decides how far a pixel is pushed to
 * white.
 */
export async function suppressColourInk(rgb: Buffer, pixels: number): Promise<Buffer> {
  const out = Buffer.allocUnsafe(pixels);
  const src = new Uint8Array(rgb.buffer, rgb.byteOffset, pixels * 3);
  // Integer arithmetic on typed arrays with a table for the saturation weight: ~3x faster than
  // the float version (~190 ms of main-thread CPU on a colour A4 page), same grey levels ±1.
  const weight = SATURATION_WEIGHT;
  for (let start = 0; start < pixels; start += CHUNK_PIXELS) {
    const end = Math.min(pixels, start + CHUNK_PIXELS);
    for (let i = start, j = start * 3; i < end; i++, j += 3) {
      const r = src[j] as number;
      const g = src[j + 1] as number;
      const b = src[j + 2] as number;
      const lum = (r * 306 + g * 601 + b * 117) >> 10;
      const mx = r > g ? (r > b ? r : b) : g > b ? g : b;
      const mn = r < g ? (r < b ? r : b) : g < b ? g : b;
      const w = weight[mx - mn] as number;
      out[i] = w === 0 ? lum : lum + (((255 - lum) * w) >> 8);
    }
    await yieldToLoop();
  }
  return out;
}

/** Saturation (max − min channel) to how far a pixel goes to white, in 1/256: none up to 40, all from 90. */
const SATURATION_WEIGHT = Uint16Array.from({ length: 256 }, (_, c) => Math.round(Math.min(1, Math.max(0, (c - 40) / 50)) * 256));

export async function decodePage(
  input: Buffer,
  opts: { page?: number; dpiHint?: number; maxPixels?: number },
): Promise<DecodedPage> {
  try {
    const base = sharp(input, { ...SHARP_OPTS, page: opts.page ?? 0, limitInputPixels: opts.maxPixels ?? 100_000_000 });
    const meta = await base.metadata();
    const bilevel = meta.bitsPerSample === 1;
    const colour = !bilevel && (meta.channels ?? 1) >= 3 && meta.space !== 'b-w';
    let pipe = base.autoOrient().removeAlpha();
    const srcW = meta.width ?? 0;
    const srcH = meta.pageHeight ?? meta.height ?? 0;
    const shrink = srcW * srcH > MAX_WORK_PIXELS ? Math.sqrt(MAX_WORK_PIXELS / (srcW * srcH)) : 1;
    if (shrink < 1) {
      const oriented = (meta.orientation ?? 1) >= 5;
      const w = Math.floor((oriented ? srcH : srcW) * shrink);
      pipe = pipe.resize({ width: w, kernel: 'lanczos3' });
    }
    const { data, info } = colour
      ? await pipe.toColourspace('srgb').raw().toBuffer({ resolveWithObject: true })
      : await pipe.toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
    const channels = info.channels === 3 ? 3 : 1;
    if (info.channels !== channels) throw new Error(`unexpected ${info.channels} channels`);
    const resolved = opts.dpiHint ? { dpi: opts.dpiHint * shrink, guessed: false } : resolveDpi(meta.density && meta.density * shrink, info.width, info.height);
    const dpi = resolved.dpi;
    // Coloured type kept, seals and signatures washed out, white-on-dark bands inverted (colour.ts).
    const grey = channels === 3 ? await colourToGrey(data, info.width, info.height) : bilevel ? data : await greyToOcr(data, info.width, info.height);
    const jpeg = passThroughJpeg(input, meta, info.width, info.height);
    return { raw: data, width: info.width, height: info.height, channels, bilevel, dpi, dpiGuessed: resolved.guessed, grey, ...(jpeg ? { jpeg } : {}) };
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw unreadable(err);
  }
}

function rawSharp(buf: Buffer, width: number, height: number, channels: 1 | 3): Sharp {
  const s = sharp(buf, { raw: { width, height, channels } });
  // Without this libvips hands one-channel data back as sRGB, tripling the buffer.
  return channels === 1 ? s.toColourspace('b-w') : s;
}

async function smallInk(grey: Buffer, width: number, height: number, quarter: boolean) {
  const target = 1000;
  const scale = Math.min(1, target / Math.min(width, height));
  let pipe = rawSharp(grey, width, height, 1);
  if (quarter) pipe = rawSharp(await pipe.rotate(90).raw().toBuffer(), height, width, 1);
  const w = Math.round((quarter ? height : width) * scale);
  const small = await pipe.resize({ width: w }).raw().toBuffer({ resolveWithObject: true });
  const blurred = await rawSharp(small.data, small.info.width, small.info.height, 1).blur(8).raw().toBuffer();
  return { ink: inkMap(small.data, blurred, small.info.width, small.info.height), scale: small.info.width / (quarter ? height : width) };
}

export interface PageLayout {
  skew: number;
  sideways: boolean;
  blank: boolean;
  /** Median x-height of the text in page pixels (0: too little text to measure). */
  xHeightPx: number;
}

/** Fewer glyphs than a few lines of text measure the size too loosely to override a resolution. */
const MIN_GLYPHS_FOR_SIZE = 60;

function xHeightOf(ink: InkMap, scale: number): number {
  const g = medianGlyphHeight(ink);
  return g.glyphs >= MIN_GLYPHS_FOR_SIZE && g.height > 0 ? g.height / scale : 0;
}

/** Skew, whether the page lies on its side and its text size, from the OCR image. 0/180 and 90/270 are left to OCR. */
export async function analyseGeometry(page: DecodedPage): Promise<PageLayout> {
  const { ink, scale } = await smallInk(page.grey, page.width, page.height, false);
  const inkPixels = ink.points.length / 2;
  // Fewer ink pixels than a couple of short words: nothing to orient by.
  if (inkPixels < 500) return { skew: 0, sideways: false, blank: true, xHeightPx: 0 };
  const first = await estimateSkew(ink);
  if (!first.sideways) return { skew: straighten(first.skewDeg), sideways: false, blank: false, xHeightPx: xHeightOf(ink, scale) };
  const turnedInk = await smallInk(page.grey, page.width, page.height, true);
  const turned = await estimateSkew(turnedInk.ink);
  return { skew: straighten(turned.skewDeg), sideways: true, blank: false, xHeightPx: xHeightOf(turnedInk.ink, turnedInk.scale) };
}

/**
 * The resolution to read a page at when its header could not be believed: the one at which its
 * measured x-height is body text's. A phone photo of a page filling half the frame guessed as
 * "A4 across the short side" would otherwise be read at half the size its letters need.
 */
export function dpiFromText(page: DecodedPage, xHeightPx: number): number {
  if (!page.dpiGuessed || xHeightPx <= 0) return page.dpi;
  return Math.min(1200, Math.max(50, xHeightPx / BODY_X_HEIGHT_IN));
}

/** Below 0.1° (4 px across an A4 line) resampling would only blur the page. */
function straighten(deg: number): number {
  return Math.abs(deg) < 0.1 ? 0 : deg;
}

/** Clockwise degrees for sharp: quarter turn plus the skew correction in one resampling. */
function totalAngle(g: Geometry): number {
  return g.rotation - g.skew;
}

function ocrScale(dpi: number): number {
  if (dpi < OCR_DPI * 0.85 || dpi > OCR_DPI * 1.6) return OCR_DPI / dpi;
  return 1;
}

/**
 * The resolution text is read at. On the dev corpus 300 dpi scans read at 200 dpi gave the same or
 * better word F1 (0.986 vs 0.980 on 12 hard pages) for ~35% less recognition time: tesseract's
 * layout and binarization cost grows with pixel count while the LSTM sees each line at a fixed
 * height anyway. Body text is still ~18 px x-height at 200 dpi.
 */
export const READ_DPI = 200;

function readScale(dpi: number, readDpi: number): number {
  if (dpi < readDpi * 0.85 || dpi > readDpi * 1.25) return readDpi / dpi;
  return 1;
}

/**
 * `width`/`height`/`dpi` describe the page frame (OCR_DPI geometry, the coordinates callers get);
 * the PGM itself holds the page at `readDpi`, `scale` frame pixels per PGM pixel.
 */
/** Source pixels to reading pixels, within the MAX_READ_PIXELS cap. */
export function readScaleFor(page: DecodedPage, readDpi: number): number {
  const read = readDpi === OCR_DPI ? ocrScale(page.dpi) : readScale(page.dpi, readDpi);
  const readPixels = page.width * page.height * read * read;
  return readPixels > MAX_READ_PIXELS ? read * Math.sqrt(MAX_READ_PIXELS / readPixels) : read;
}

export async function renderForOcr(page: DecodedPage, g: Geometry, enhance: boolean, readDpi = OCR_DPI): Promise<OcrImage> {
  const frame = ocrScale(page.dpi);
  const read = readScaleFor(page, readDpi);
  const bg = { background: { r: 255, g: 255, b: 255 } };
  const angle = totalAngle(g);
  let pipe: Sharp;
  if (read < 1) {
    // Shrinking first means the rotation resamples ~half the pixels (~130 ms a page saved).
    const small = await rawSharp(page.grey, page.width, page.height, 1)
      .resize({ width: Math.round(page.width * read), kernel: 'lanczos3' })
      .raw()
      .toBuffer({ resolveWithObject: true });
    pipe = rawSharp(small.data, small.info.width, small.info.height, 1).rotate(angle, bg);
  } else {
    pipe = rawSharp(page.grey, page.width, page.height, 1).rotate(angle, bg);
    if (read !== 1) {
      const rotated = await pipe.raw().toBuffer({ resolveWithObject: true });
      pipe = rawSharp(rotated.data, rotated.info.width, rotated.info.height, 1).resize({
        width: Math.round(rotated.info.width * read),
        kernel: 'lanczos3',
      });
    }
  }
  if (enhance) {
    // Local contrast for faint or unevenly lit pages; too slow (~3 s at 300 dpi) for every page.
    const flat = await pipe.raw().toBuffer({ resolveWithObject: true });
    const tile = Math.max(16, Math.round((120 * page.dpi * read) / OCR_DPI));
    pipe = rawSharp(flat.data, flat.info.width, flat.info.height, 1).median(3).clahe({ width: tile, height: tile, maxSlope: 3 });
  }
  const { data, info } = await pipe.raw().toBuffer({ resolveWithObject: true });
  const width = read === frame ? info.width : Math.round((info.width * frame) / read);
  const height = read === frame ? info.height : Math.round((info.height * frame) / read);
  // Binary PGM: no PNG encode here and no PNG decode inside the wasm worker (~1 s a page saved).
  const header = Buffer.from(`P5\n${info.width} ${info.height}\n255\n`, 'ascii');
  return { png: Buffer.concat([header, data]), width, height, dpi: page.dpi * frame, scale: width / info.width };
}

/**
 * The copy that goes into the PDF: the scan as it was (colour stays colour, pixels not resampled).
 * It is turned upright and deskewed by the PDF's drawing matrix (`angle`), not here: resampling a
 * colour A4 scan cost ~350 ms of CPU a page, and the text layer lines up either way.
 */
export async function renderForArchive(page: DecodedPage, g: Geometry): Promise<ArchiveImage> {
  const angle = totalAngle(g);
  const pipe = rawSharp(page.raw, page.width, page.height, page.channels);
  const common = { width: page.width, height: page.height, dpi: page.dpi, angle };
  if (page.bilevel) {
    const { data } = await pipe.threshold(128).raw().toBuffer({ resolveWithObject: true });
    return { kind: 'bilevel', bytes: await packBits(data, page.width, page.height), grey: true, ...common };
  }
  if (page.jpeg) return { kind: 'jpeg', bytes: page.jpeg, grey: page.channels === 1, ...common };
  const { data } = await pipe.jpeg({ quality: 75 }).toBuffer({ resolveWithObject: true });
  return { kind: 'jpeg', bytes: data, grey: page.channels === 1, ...common };
}

/** 8-bit 0/255 pixels to PDF 1-bit rows (DeviceGray: 1 = white). */
async function packBits(px: Buffer, width: number, height: number): Promise<Buffer> {
  const stride = Math.ceil(width / 8);
  const out = Buffer.alloc(stride * height);
  const rowsPerSlice = Math.max(1, Math.floor(CHUNK_PIXELS / width));
  const full = width >> 3;
  for (let y = 0; y < height; y++) {
    let src = y * width;
    let dst = y * stride;
    // Eight pixels to a byte in one go: a read-modify-write per pixel took ~90 ms an A4 page.
    for (let k = 0; k < full; k++, src += 8) {
      out[dst++] =
        (((px[src] as number) >> 7) << 7) |
        (((px[src + 1] as number) >> 7) << 6) |
        (((px[src + 2] as number) >> 7) << 5) |
        (((px[src + 3] as number) >> 7) << 4) |
        (((px[src + 4] as number) >> 7) << 3) |
        (((px[src + 5] as number) >> 7) << 2) |
        (((px[src + 6] as number) >> 7) << 1) |
        ((px[src + 7] as number) >> 7);
    }
    let byte = 0;
    for (let x = full * 8; x < width; x++, src++) if ((px[src] as number) >= 128) byte |= 0x80 >> (x & 7);
    if (width & 7) out[dst] = byte;
    if (y % rowsPerSlice === rowsPerSlice - 1) await yieldToLoop();
  }
  return out;
}
