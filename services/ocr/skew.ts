// Skew and quarter-turn estimation by projection profiles on a small binarized copy of the page.
// Pure JS on ~1 Mpx: a few tens of ms, cheap enough for the main thread.

export interface InkMap {
  width: number;
  height: number;
  /** Flat x,y pairs of ink pixels. */
  points: Int32Array;
}

/**
 * Ink = clearly darker than the local background, so uneven light and the dark surround of a
 * phone photo do not count as text. `grey` and `blurred` are the same small image.
 */
export function inkMap(grey: Uint8Array, blurred: Uint8Array, width: number, height: number): InkMap {
  const pts: number[] = [];
  // Paper level = a high percentile (the brightest 15%: a page may fill a fifth of a photo; 5% put an unevenly lit page's dim half below "paper") of the local background. Where the background is much darker
  // than paper (a phone photo's surround) an edge is not text: its long straight border would
  // otherwise outweigh every text line.
  const hist = new Uint32Array(256);
  for (let i = 0; i < blurred.length; i++) hist[blurred[i] ?? 0] = (hist[blurred[i] ?? 0] ?? 0) + 1;
  let acc = 0;
  let paper = 255;
  for (let v = 255; v >= 0; v--) {
    acc += hist[v] ?? 0;
    if (acc >= blurred.length * 0.15) {
      paper = v;
      break;
    }
  }
  const minBackground = paper * 0.75;
  // The paper's own edge against a lighter surround (a table, a desk) is dark against light too;
  // near any surround nothing counts as ink, or a page's long edges outweigh every text line.
  const near = nearSurround(blurred, width, height, paper * 0.6, Math.max(2, Math.round(Math.min(width, height) * 0.012)));
  // Skip a margin: scanner edges and photo borders are long straight lines that would dominate.
  const mx = Math.floor(width * 0.03);
  const my = Math.floor(height * 0.03);
  for (let y = my; y < height - my; y++) {
    const row = y * width;
    for (let x = mx; x < width - mx; x++) {
      const g = grey[row + x] ?? 255;
      const b = blurred[row + x] ?? 255;
      if (g < b * 0.8 && g < 170 && b > minBackground && near[row + x] === 0) pts.push(x, y);
    }
  }
  return { width, height, points: Int32Array.from(pts) };
}

/** 1 within `r` pixels (a square) of background darker than `level`: box dilation by running counts. */
function nearSurround(blurred: Uint8Array, width: number, height: number, level: number, r: number): Uint8Array {
  const dark = new Uint8Array(width * height);
  for (let i = 0; i < dark.length; i++) dark[i] = (blurred[i] ?? 255) < level ? 1 : 0;
  const rows = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const o = y * width;
    let count = 0;
    for (let x = 0; x < Math.min(width, r); x++) count += dark[o + x] as number;
    for (let x = 0; x < width; x++) {
      if (x + r < width) count += dark[o + x + r] as number;
      if (x - r - 1 >= 0) count -= dark[o + x - r - 1] as number;
      rows[o + x] = count > 0 ? 1 : 0;
    }
  }
  const out = new Uint8Array(width * height);
  for (let x = 0; x < width; x++) {
    let count = 0;
    for (let y = 0; y < Math.min(height, r); y++) count += rows[y * width + x] as number;
    for (let y = 0; y < height; y++) {
      if (y + r < height) count += rows[(y + r) * width + x] as number;
      if (y - r - 1 >= 0) count -= rows[(y - r - 1) * width + x] as number;
      out[y * width + x] = count > 0 ? 1 : 0;
    }
  }
  return out;
}

/** Normalised sum of squared bin counts of ink projected on lines at `deg` (1 = uniform). */
function profileScore(ink: InkMap, deg: number, vertical: boolean): number {
  const t = Math.tan((deg * Math.PI) / 180);
  const len = vertical ? ink.width : ink.height;
  const span = vertical ? ink.height : ink.width;
  const pad = Math.ceil(Math.abs(t) * span) + 1;
  // Integer bins and no per-point branches: this runs ~90 times a page on the main thread.
  const bins = new Int32Array(len + 2 * pad + 1);
  const p = ink.points;
  const n = p.length / 2;
  if (n === 0) return 0;
  const a = vertical ? 0 : 1;
  const off = pad + 0.5;
  for (let i = 0; i < p.length; i += 2) {
    const along = p[i + a] as number;
    const across = p[i + 1 - a] as number;
    const b = Math.floor(along - across * t + off);
    bins[b] = (bins[b] as number) + 1;
  }
  let sq = 0;
  for (let i = 0; i < bins.length; i++) {
    const v = bins[i] as number;
    sq += v * v;
  }
  return (sq * len) / (n * n);
}

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

async function bestAngle(ink: InkMap, vertical: boolean, maxDeg: number): Promise<{ deg: number; score: number }> {
  let best = { deg: 0, score: -1 };
  // Coarse then fine; yielding between angles keeps each synchronous slice to a few ms.
  for (let d = -maxDeg; d <= maxDeg + 1e-9; d += 0.25) {
    const s = profileScore(ink, d, vertical);
    if (s > best.score) best = { deg: d, score: s };
    await yieldToLoop();
  }
  const c = best.deg;
  for (let d = c - 0.25; d <= c + 0.25 + 1e-9; d += 0.05) {
    const s = profileScore(ink, d, vertical);
    if (s > best.score) best = { deg: d, score: s };
    await yieldToLoop();
  }
  return { deg: Math.round(best.deg * 100) / 100, score: best.score };
}

export interface SkewEstimate {
  /** Degrees by which text lines descend to the right (image y grows downwards). */
  skewDeg: number;
  /** True when the text lines run vertically: the page is turned 90° or 270°. */
  sideways: boolean;
  hScore: number;
  vScore: number;
}

export async function estimateSkew(ink: InkMap, maxDeg = 4): Promise<SkewEstimate> {
  const h = await bestAngle(ink, false, maxDeg);
  const v = await bestAngle(ink, true, maxDeg);
  return { skewDeg: h.deg, sideways: v.score > h.score * 1.5, hScore: h.score, vScore: v.score };
}

export interface TextSize {
  /** Median height of the ink bands of text lines (≈ x-height plus the denser part of ascenders), px of the ink map. */
  bandHeight: number;
  /** Median distance between consecutive line bands, px of the ink map. */
  linePitch: number;
  /** Text line bands found; too few and the measurement is not trusted. */
  lines: number;
}

function median(xs: number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

/**
 * Text size from the row profile of the ink map, straightened by `skewDeg`: each text line is a run
 * of rows dense with ink. Used to set the reading scale when the file's resolution is only guessed
 * (a phone photo's 72 dpi tag, or a page that fills only part of the photo).
 */
export function measureTextSize(ink: InkMap, skewDeg: number): TextSize {
  const t = Math.tan((skewDeg * Math.PI) / 180);
  const pad = Math.ceil(Math.abs(t) * ink.width) + 1;
  const rows = new Int32Array(ink.height + 2 * pad + 1);
  const p = ink.points;
  for (let i = 0; i < p.length; i += 2) {
    const y = Math.floor((p[i + 1] as number) - (p[i] as number) * t + pad + 0.5);
    rows[y] = (rows[y] as number) + 1;
  }
  const nonzero = Array.from(rows).filter((v) => v > 0);
  if (nonzero.length === 0) return { bandHeight: 0, linePitch: 0, lines: 0 };
  const sorted = nonzero.sort((a, b) => a - b);
  const p90 = sorted[Math.floor(sorted.length * 0.9)] as number;
  // A row belongs to a line's band when it holds a good share of a dense row's ink; the sparse
  // ascender/descender rows fall below, so the band is close to the x-height.
  const threshold = Math.max(3, p90 * 0.25);
  const bands: { start: number; end: number }[] = [];
  let start = -1;
  for (let y = 0; y <= rows.length; y++) {
    const on = y < rows.length && (rows[y] as number) >= threshold;
    if (on && start < 0) start = y;
    if (!on && start >= 0) {
      if (y - start >= 2) bands.push({ start, end: y });
      start = -1;
    }
  }
  const heights = bands.map((b) => b.end - b.start);
  const h = median(heights);
  // Pitch only between neighbouring lines of a paragraph, not across a blank gap.
  const pitches: number[] = [];
  for (let i = 1; i < bands.length; i++) {
    const a = bands[i - 1] as { start: number; end: number };
    const b = bands[i] as { start: number; end: number };
    const d = (b.start + b.end) / 2 - (a.start + a.end) / 2;
    if (d < h * 4) pitches.push(d);
  }
  return { bandHeight: h, linePitch: median(pitches), lines: bands.length };
}

/**
 * Median height of the ink's connected blobs (letters, or letters joined at this low resolution),
 * in px of the ink map: close to the x-height of the body text, whatever the page's layout.
 */
export function medianGlyphHeight(ink: InkMap): { height: number; glyphs: number } {
  const { width, height } = ink;
  const label = new Int32Array(width * height);
  const p = ink.points;
  for (let i = 0; i < p.length; i += 2) label[(p[i + 1] as number) * width + (p[i] as number)] = -1;
  const heights: number[] = [];
  const stack: number[] = [];
  let next = 0;
  for (let i = 0; i < p.length; i += 2) {
    const seed = (p[i + 1] as number) * width + (p[i] as number);
    if (label[seed] !== -1) continue;
    next++;
    label[seed] = next;
    stack.push(seed);
    let y0 = height;
    let y1 = -1;
    let x0 = width;
    let x1 = -1;
    let n = 0;
    while (stack.length > 0) {
      const k = stack.pop() as number;
      const y = (k / width) | 0;
      const x = k - y * width;
      n++;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      for (const d of [k - 1, k + 1, k - width, k + width]) {
        if (d >= 0 && d < label.length && label[d] === -1 && Math.abs((d % width) - x) <= 1) {
          label[d] = next;
          stack.push(d);
        }
      }
    }
    const h = y1 - y0 + 1;
    const w = x1 - x0 + 1;
    // Specks, diacritics, rules and seal rings say nothing about the letter size.
    if (n >= 6 && h >= 5 && h <= 80 && w <= h * 8) heights.push(h);
  }
  return { height: median(heights), glyphs: heights.length };
}
