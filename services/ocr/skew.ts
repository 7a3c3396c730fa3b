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
  // Paper level = a high percentile of the local background. Where the background is much darker
  // than paper (a phone photo's surround) an edge is not text: its long straight border would
  // otherwise outweigh every text line.
  const hist = new Uint32Array(256);
  for (let i = 0; i < blurred.length; i++) hist[blurred[i] ?? 0] = (hist[blurred[i] ?? 0] ?? 0) + 1;
  let acc = 0;
  let paper = 255;
  for (let v = 255; v >= 0; v--) {
    acc += hist[v] ?? 0;
    if (acc >= blurred.length * 0.2) {
      paper = v;
      break;
    }
  }
  const minBackground = paper * 0.75;
  // Skip a margin: scanner edges and photo borders are long straight lines that would dominate.
  const mx = Math.floor(width * 0.03);
  const my = Math.floor(height * 0.03);
  for (let y = my; y < height - my; y++) {
    const row = y * width;
    for (let x = mx; x < width - mx; x++) {
      const g = grey[row + x] ?? 255;
      const b = blurred[row + x] ?? 255;
      if (g < b * 0.8 && g < 170 && b > minBackground) pts.push(x, y);
    }
  }
  return { width, height, points: Int32Array.from(pts) };
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
