// Real-world capture conditions made from a clean scan: what desks' phones and partners' devices do to a
// page. Used by `npm run fixtures:photos` (the shipped photo set) and by the OCR tests, so a test and the
// set exercise the same transformations. Each takes and returns encoded image bytes.
import sharp from 'sharp';

/** The page photographed from a distance on a table: page `pageHeight` px tall in a landscape 4000×3000 frame, JFIF 72 dpi. */
export async function farPhoto(scan: Buffer, pageHeight = 2000): Promise<Buffer> {
  const page = await sharp(scan).resize({ height: pageHeight }).toBuffer();
  return sharp({ create: { width: 4000, height: 3000, channels: 3, background: '#8a8580' } })
    .composite([{ input: page, gravity: 'centre' }])
    .jpeg({ quality: 88 })
    .toBuffer();
}

/**
 * Perspective: the phone held tilted. Inverse homography with bilinear sampling, the page's top edge
 * narrowed by `squeeze` of its width, onto a dark desk.
 */
export async function perspective(scan: Buffer, squeeze = 0.12): Promise<Buffer> {
  const { data, info } = await sharp(scan).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  const w = info.width;
  const h = info.height;
  const W = Math.round(w * 1.1);
  const H = Math.round(h * 1.06);
  const ox = (W - w) / 2;
  const oy = (H - h) / 2;
  // Destination corners of the source rectangle: top edge pulled in, bottom kept.
  const dx = w * squeeze;
  const dst = [
    [ox + dx, oy + h * 0.02],
    [ox + w - dx, oy],
    [ox + w, oy + h],
    [ox, oy + h],
  ] as const;
  const src = [
    [0, 0],
    [w, 0],
    [w, h],
    [0, h],
  ] as const;
  const m = homography(dst, src);
  const out = Buffer.alloc(W * H * 3, 40);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const d = (m[6] as number) * x + (m[7] as number) * y + 1;
      const sx = ((m[0] as number) * x + (m[1] as number) * y + (m[2] as number)) / d;
      const sy = ((m[3] as number) * x + (m[4] as number) * y + (m[5] as number)) / d;
      if (sx < 0 || sy < 0 || sx >= w - 1 || sy >= h - 1) continue;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      const o = (y * W + x) * 3;
      for (let c = 0; c < 3; c++) {
        const i = (y0 * w + x0) * 3 + c;
        const v =
          (data[i] as number) * (1 - fx) * (1 - fy) +
          (data[i + 3] as number) * fx * (1 - fy) +
          (data[i + w * 3] as number) * (1 - fx) * fy +
          (data[i + w * 3 + 3] as number) * fx * fy;
        out[o + c] = Math.round(v);
      }
    }
  }
  return sharp(out, { raw: { width: W, height: H, channels: 3 } }).jpeg({ quality: 85 }).toBuffer();
}

/** 3×3 matrix (row-major, last entry 1) mapping the four `from` points onto `to`. */
function homography(from: readonly (readonly [number, number])[], to: readonly (readonly [number, number])[]): number[] {
  const A: number[][] = [];
  for (let i = 0; i < 4; i++) {
    const [x, y] = from[i] as readonly [number, number];
    const [u, v] = to[i] as readonly [number, number];
    A.push([x, y, 1, 0, 0, 0, -u * x, -u * y, u]);
    A.push([0, 0, 0, x, y, 1, -v * x, -v * y, v]);
  }
  // Gauss-Jordan on the 8×9 augmented system.
  for (let c = 0; c < 8; c++) {
    let p = c;
    for (let r = c + 1; r < 8; r++) if (Math.abs((A[r] as number[])[c] as number) > Math.abs((A[p] as number[])[c] as number)) p = r;
    [A[c], A[p]] = [A[p] as number[], A[c] as number[]];
    const row = A[c] as number[];
    const pv = row[c] as number;
    for (let k = c; k < 9; k++) row[k] = (row[k] as number) / pv;
    for (let r = 0; r < 8; r++) {
      if (r === c) continue;
      const f = (A[r] as number[])[c] as number;
      for (let k = c; k < 9; k++) (A[r] as number[])[k] = ((A[r] as number[])[k] as number) - f * (row[k] as number);
    }
  }
  return A.map((r) => r[8] as number);
}

/** Light falling off across the page (a desk lamp on one side): ×1.0 to ×`dim`. */
export async function unevenLight(scan: Buffer, dim = 0.45): Promise<Buffer> {
  const meta = await sharp(scan).metadata();
  const w = meta.width ?? 0;
  const h = meta.height ?? 0;
  const g = Math.round(255 * dim);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}"><defs><radialGradient id="l" cx="0.15" cy="0.1" r="1.2"><stop offset="0" stop-color="#fff"/><stop offset="1" stop-color="rgb(${g},${g},${Math.round(g * 0.9)})"/></radialGradient></defs><rect width="100%" height="100%" fill="url(#l)"/></svg>`;
  return sharp(scan).removeAlpha().toColourspace('srgb').composite([{ input: Buffer.from(svg), blend: 'multiply' }]).jpeg({ quality: 85 }).toBuffer();
}

/** The phone's own shadow across the lower part of the page: a soft-edged band at ×`dark`. */
export async function shadow(scan: Buffer, dark = 0.5): Promise<Buffer> {
  const meta = await sharp(scan).metadata();
  const w = meta.width ?? 0;
  const h = meta.height ?? 0;
  const g = Math.round(255 * dark);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}"><defs><filter id="b"><feGaussianBlur stdDeviation="${Math.round(w / 60)}"/></filter></defs><rect width="100%" height="100%" fill="#fff"/><path d="M ${w * 0.35} ${h} Q ${w * 0.55} ${h * 0.55} ${w * 1.1} ${h * 0.5} L ${w * 1.1} ${h * 1.1} Z" fill="rgb(${g},${g},${g})" filter="url(#b)"/></svg>`;
  return sharp(scan).removeAlpha().toColourspace('srgb').composite([{ input: Buffer.from(svg), blend: 'multiply' }]).jpeg({ quality: 85 }).toBuffer();
}

/** A messaging app's recompression: shrunk to `width` px and saved as low-quality JPEG or WebP. */
export async function recompress(scan: Buffer, format: 'jpeg' | 'webp', width = 1280): Promise<Buffer> {
  const s = sharp(scan).resize({ width });
  return format === 'jpeg' ? s.jpeg({ quality: 45 }).toBuffer() : s.webp({ quality: 50 }).toBuffer();
}

/** The same pixels stamped 72 dpi (what phones and many encoders write whatever the real size). */
export async function tag72(scan: Buffer): Promise<Buffer> {
  return sharp(scan).withMetadata({ density: 72 }).jpeg({ quality: 90 }).toBuffer();
}

const escapeXml = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export interface TextBlock {
  text: string;
  /** Points at 300 dpi. */
  size?: number;
  bold?: boolean;
  colour?: string;
  /** White text on a band of this colour. */
  band?: string;
  centre?: boolean;
}

/**
 * A printed A4 page at 300 dpi made of the given lines (DejaVu Serif): for conditions that need
 * colour or inversion in known places. The lines are the ground truth.
 */
export async function printedPage(blocks: TextBlock[], opts: { top?: number; gap?: number } = {}): Promise<Buffer> {
  const W = 2480;
  const H = 3508;
  let y = opts.top ?? 300;
  const parts: string[] = [];
  for (const b of blocks) {
    const px = Math.round(((b.size ?? 13) * 300) / 72);
    y += Math.round(px * (opts.gap ?? 1.5));
    if (b.band) parts.push(`<rect x="180" y="${y - px * 1.2}" width="${W - 360}" height="${px * 1.7}" fill="${b.band}"/>`);
    const fill = b.band ? '#ffffff' : (b.colour ?? '#151515');
    const anchor = b.centre ? `x="${W / 2}" text-anchor="middle"` : 'x="240"';
    parts.push(`<text ${anchor} y="${y}" font-family="DejaVu Serif" font-size="${px}" ${b.bold ? 'font-weight="bold"' : ''} fill="${fill}">${escapeXml(b.text)}</text>`);
  }
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"><rect width="100%" height="100%" fill="#fbfaf6"/>${parts.join('')}</svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 90 }).withMetadata({ density: 300 }).toBuffer();
}

/** A deterministic pseudo-random sequence (mulberry32), so generated pictures are the same every run. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A cover or imprint page: a few printed lines and a grey picture (shapes and strokes) that OCR reads
 * as doubtful marks whichever way up, so the page's confidence is low even upright.
 */
export async function coverPage(lines: TextBlock[], seed: number): Promise<Buffer> {
  const rnd = seeded(seed);
  const shapes: string[] = [];
  for (let i = 0; i < 60; i++) {
    const x = 300 + rnd() * 1880;
    const y = 1300 + rnd() * 1500;
    const g = Math.round(40 + rnd() * 150);
    const r = 20 + rnd() * 140;
    shapes.push(
      rnd() < 0.5
        ? `<circle cx="${x}" cy="${y}" r="${r}" fill="none" stroke="rgb(${g},${g},${g})" stroke-width="${4 + rnd() * 14}"/>`
        : `<path d="M ${x} ${y} q ${r} ${-r} ${2 * r} 0 t ${2 * r} 0" fill="none" stroke="rgb(${g},${g},${g})" stroke-width="${3 + rnd() * 10}"/>`,
    );
  }
  const text = await printedPage(lines, { top: 250 });
  const picture = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="2480" height="3508">${shapes.join('')}</svg>`);
  return sharp(text).composite([{ input: picture }]).jpeg({ quality: 85 }).withMetadata({ density: 300 }).toBuffer();
}
