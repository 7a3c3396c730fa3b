// What OCR sees of a colour page: seals and signatures washed out, coloured printed type kept dark,
// white-on-dark bands inverted. Decided on a coarse grid of cells, then applied pixel by pixel.

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));
const CHUNK_PIXELS = 1 << 19;

/** Saturation (max − min channel) from which a pixel counts as coloured ink. */
const INK_SATURATION = 60;
/** Saturation (max − min channel) to how far a pixel goes to white, in 1/256: none up to 40, all from 90. */
const SATURATION_WEIGHT = Uint16Array.from({ length: 256 }, (_, c) => Math.round(Math.min(1, Math.max(0, (c - 40) / 50)) * 256));

/** What a cell's pixels become. */
const WASH = 0;
const KEEP = 1;
const INVERT = 2;

interface Component {
  cells: number[];
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** 8-connected groups of `on` cells, with horizontal gaps of up to `gap` cells bridged (letters of a line). */
function components(on: Uint8Array, cw: number, ch: number, gap: number): Component[] {
  const seen = new Uint8Array(on.length);
  const out: Component[] = [];
  for (let s = 0; s < on.length; s++) {
    if (!on[s] || seen[s]) continue;
    const c: Component = { cells: [], x0: cw, y0: ch, x1: -1, y1: -1 };
    const stack = [s];
    seen[s] = 1;
    while (stack.length > 0) {
      const k = stack.pop() as number;
      const y = (k / cw) | 0;
      const x = k - y * cw;
      c.cells.push(k);
      if (x < c.x0) c.x0 = x;
      if (x > c.x1) c.x1 = x;
      if (y < c.y0) c.y0 = y;
      if (y > c.y1) c.y1 = y;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1 - gap; dx <= 1 + gap; dx++) {
          const nx = x + dx;
          const ny = y + dy;
          if (nx < 0 || ny < 0 || nx >= cw || ny >= ch) continue;
          const n = ny * cw + nx;
          if (on[n] && !seen[n]) {
            seen[n] = 1;
            stack.push(n);
          }
        }
      }
    }
    out.push(c);
  }
  return out;
}

/**
 * Greyscale for OCR from RGB.
 * - Coloured ink is washed towards white in proportion to saturation (red seals, blue signatures sit
 *   on top of black text, which is unsaturated and stays) — except coloured ink shaped like printed
 *   type: a line-shaped group (wider than tall, no taller than a large heading), densely inked (type,
 *   not thin pen strokes) and not lying over black text. That is kept as dark as its darkest channel,
 *   so an orange title reads like a black one.
 * - Dark filled bands not touching the edge (a title bar, a table header) are inverted, so white
 *   type on them reads as black on white (tesseract's own inversion is off: it cost ~25% of time).
 */
export async function colourToGrey(rgb: Buffer, width: number, height: number): Promise<Buffer> {
  const pixels = width * height;
  const src = new Uint8Array(rgb.buffer, rgb.byteOffset, pixels * 3);
  const F = Math.max(4, Math.round(Math.min(width, height) / 300));
  const cw = Math.ceil(width / F);
  const ch = Math.ceil(height / F);
  const colour = new Uint32Array(cw * ch);
  const neutralInk = new Uint32Array(cw * ch);
  const dark = new Uint32Array(cw * ch);
  const count = new Uint32Array(cw * ch);
  for (let y = 0; y < height; y++) {
    const cy = ((y / F) | 0) * cw;
    for (let x = 0, j = y * width * 3; x < width; x++, j += 3) {
      const r = src[j] as number;
      const g = src[j + 1] as number;
      const b = src[j + 2] as number;
      const mx = r > g ? (r > b ? r : b) : g > b ? g : b;
      const mn = r < g ? (r < b ? r : b) : g < b ? g : b;
      const lum = (r * 306 + g * 601 + b * 117) >> 10;
      const c = cy + ((x / F) | 0);
      count[c] = (count[c] as number) + 1;
      if (mx - mn >= INK_SATURATION) colour[c] = (colour[c] as number) + 1;
      // Black text: dark and grey. The anti-aliased rims of coloured type are less saturated but not grey.
      else if (lum < 100 && mx - mn < 25) neutralInk[c] = (neutralInk[c] as number) + 1;
      if (lum < 90) dark[c] = (dark[c] as number) + 1;
    }
    if (y % 256 === 255) await yieldToLoop();
  }

  const mode = new Uint8Array(cw * ch);
  const shortCells = Math.min(cw, ch);
  // Coloured groups: keep those shaped and inked like printed type.
  const colourOn = new Uint8Array(cw * ch);
  for (let i = 0; i < colourOn.length; i++) colourOn[i] = (colour[i] as number) > (count[i] as number) * 0.02 ? 1 : 0;
  for (const c of components(colourOn, cw, ch, 5)) {
    const w = c.x1 - c.x0 + 1;
    const h = c.y1 - c.y0 + 1;
    // A heading of up to ~2 large lines (0.08 of the short side ≈ 0.66 in on A4); a seal is round.
    if (h > shortCells * 0.08 || w < h * 1.8 || c.cells.length < 6) continue;
    let ink = 0;
    let over = 0;
    for (const k of c.cells) {
      ink += colour[k] as number;
      if ((neutralInk[k] as number) > (count[k] as number) * 0.03) over++;
    }
    const density = ink / (w * h * F * F);
    // Pen strokes fill little of their box; type fills more. A single line of body text (up to ~0.3 in
    // on A4) is thin too, but a signature is rarely that low. Ink over black text is a stamp.
    const minDensity = h <= shortCells * 0.035 ? 0.03 : 0.08;
    if (density < minDensity || over > c.cells.length * 0.15) continue;
    for (const k of c.cells) mode[k] = KEEP;
  }
  // Dark filled bands away from the edges (the edge is a photo's surround).
  const darkOn = new Uint8Array(cw * ch);
  for (let i = 0; i < darkOn.length; i++) darkOn[i] = (dark[i] as number) > (count[i] as number) * 0.6 ? 1 : 0;
  for (const c of components(darkOn, cw, ch, 1)) {
    if (c.x0 === 0 || c.y0 === 0 || c.x1 === cw - 1 || c.y1 === ch - 1) continue;
    const w = c.x1 - c.x0 + 1;
    const h = c.y1 - c.y0 + 1;
    if (w < cw * 0.2 || h < 3 || c.cells.length < w * h * 0.6) continue;
    // The whole box, white letters included (they are not dark cells themselves).
    for (let y = c.y0; y <= c.y1; y++) for (let x = c.x0; x <= c.x1; x++) mode[y * cw + x] = INVERT;
  }

  const out = Buffer.allocUnsafe(pixels);
  const weight = SATURATION_WEIGHT;
  for (let start = 0; start < pixels; start += CHUNK_PIXELS) {
    const end = Math.min(pixels, start + CHUNK_PIXELS);
    for (let i = start, j = start * 3; i < end; i++, j += 3) {
      const r = src[j] as number;
      const g = src[j + 1] as number;
      const b = src[j + 2] as number;
      const lum = (r * 306 + g * 601 + b * 117) >> 10;
      const y = (i / width) | 0;
      const m = mode[((y / F) | 0) * cw + (((i - y * width) / F) | 0)] as number;
      const mx = r > g ? (r > b ? r : b) : g > b ? g : b;
      const mn = r < g ? (r < b ? r : b) : g < b ? g : b;
      if (m === INVERT) out[i] = 255 - lum;
      else if (m === KEEP) out[i] = mn < lum ? mn : lum;
      else {
        const w = weight[mx - mn] as number;
        out[i] = w === 0 ? lum : lum + (((255 - lum) * w) >> 8);
      }
    }
    await yieldToLoop();
  }
  return out;
}

/** Greyscale pages: only the white-on-dark bands need work. */
export async function greyToOcr(grey: Buffer, width: number, height: number): Promise<Buffer> {
  const F = Math.max(4, Math.round(Math.min(width, height) / 300));
  const cw = Math.ceil(width / F);
  const ch = Math.ceil(height / F);
  const dark = new Uint32Array(cw * ch);
  const count = new Uint32Array(cw * ch);
  for (let y = 0; y < height; y++) {
    const cy = ((y / F) | 0) * cw;
    for (let x = 0, i = y * width; x < width; x++, i++) {
      const c = cy + ((x / F) | 0);
      count[c] = (count[c] as number) + 1;
      if ((grey[i] as number) < 90) dark[c] = (dark[c] as number) + 1;
    }
    if (y % 256 === 255) await yieldToLoop();
  }
  const darkOn = new Uint8Array(cw * ch);
  for (let i = 0; i < darkOn.length; i++) darkOn[i] = (dark[i] as number) > (count[i] as number) * 0.6 ? 1 : 0;
  const bands = components(darkOn, cw, ch, 1).filter((c) => {
    if (c.x0 === 0 || c.y0 === 0 || c.x1 === cw - 1 || c.y1 === ch - 1) return false;
    const w = c.x1 - c.x0 + 1;
    const h = c.y1 - c.y0 + 1;
    return w >= cw * 0.2 && h >= 3 && c.cells.length >= w * h * 0.6;
  });
  if (bands.length === 0) return grey;
  const out = Buffer.from(grey);
  for (const c of bands) {
    for (let y = c.y0 * F; y < Math.min(height, (c.y1 + 1) * F); y++) {
      for (let x = c.x0 * F, i = y * width + x; x < Math.min(width, (c.x1 + 1) * F); x++, i++) out[i] = 255 - (grey[i] as number);
    }
  }
  return out;
}
