import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { OcrLine, OcrPage, OcrWord } from './types.js';

const require = createRequire(import.meta.url);

interface TextRun {
  str: string;
  x: number;
  baseline: number;
  width: number;
  height: number;
}

type PdfJs = typeof import('pdfjs-dist/legacy/build/pdf.mjs');
let pdfjs: Promise<PdfJs> | null = null;
function loadPdfJs(): Promise<PdfJs> {
  pdfjs ??= import('pdfjs-dist/legacy/build/pdf.mjs');
  return pdfjs;
}

function standardFontDataUrl(): string {
  const root = path.dirname(require.resolve('pdfjs-dist/package.json'));
  return pathToFileURL(path.join(root, 'standard_fonts') + path.sep).href;
}

/** Groups text runs sharing a baseline into lines, top to bottom, left to right. */
function groupLines(runs: TextRun[]): OcrLine[] {
  const sorted = [...runs].sort((a, b) => a.baseline - b.baseline || a.x - b.x);
  const groups: TextRun[][] = [];
  for (const r of sorted) {
    const last = groups[groups.length - 1];
    const ref = last?.[0];
    if (last && ref && Math.abs(ref.baseline - r.baseline) <= Math.max(2, ref.height * 0.4)) last.push(r);
    else groups.push([r]);
  }
  return groups.map((g) => {
    const runsInOrder = g.sort((a, b) => a.x - b.x);
    const words: OcrWord[] = [];
    for (const r of runsInOrder) {
      const parts = r.str.split(/\s+/u).filter((s) => s.length > 0);
      const per = parts.length > 0 ? r.width / parts.length : 0;
      parts.forEach((p, i) => {
        words.push({
          text: p.normalize('NFC'),
          confidence: 100,
          bbox: { x0: r.x + i * per, y0: r.baseline - r.height, x1: r.x + (i + 1) * per, y1: r.baseline + r.height * 0.2 },
        });
      });
    }
    const x0 = Math.min(...words.map((w) => w.bbox.x0));
    const x1 = Math.max(...words.map((w) => w.bbox.x1));
    const y0 = Math.min(...words.map((w) => w.bbox.y0));
    const y1 = Math.max(...words.map((w) => w.bbox.y1));
    const baseline = g[0]?.baseline ?? y1;
    return { text: words.map((w) => w.text).join(' '), confidence: 100, bbox: { x0, y0, x1, y1 }, baseline, words };
  }).filter((l) => l.words.length > 0);
}

/**
 * Reads the existing text layer of the given pages (PDF points, top-left origin, 72 dpi). Text
 * extraction is light; only rendering is heavy enough to need a worker thread.
 */
export async function readTextLayers(bytes: Uint8Array, pageIndexes: number[]): Promise<Map<number, OcrPage>> {
  const out = new Map<number, OcrPage>();
  if (pageIndexes.length === 0) return out;
  const lib = await loadPdfJs();
  const task = lib.getDocument({
    data: new Uint8Array(bytes),
    isEvalSupported: false,
    useSystemFonts: false,
    disableFontFace: true,
    standardFontDataUrl: standardFontDataUrl(),
    verbosity: 0,
  });
  const doc = await task.promise;
  try {
    for (const index of pageIndexes) {
      const t0 = Date.now();
      const page = await doc.getPage(index + 1);
      const vp = page.getViewport({ scale: 1 });
      const content = await page.getTextContent();
      const runs: TextRun[] = [];
      for (const item of content.items) {
        if (!('str' in item) || item.str.trim().length === 0) continue;
        const [, , , , e, f] = vp.transform as number[];
        const tr = item.transform as number[];
        // Viewport transform maps PDF user space to top-left pixels at scale 1.
        const x = (vp.transform[0] as number) * (tr[4] ?? 0) + (vp.transform[2] as number) * (tr[5] ?? 0) + (e ?? 0);
        const y = (vp.transform[1] as number) * (tr[4] ?? 0) + (vp.transform[3] as number) * (tr[5] ?? 0) + (f ?? 0);
        runs.push({ str: item.str, x, baseline: y, width: item.width, height: item.height || Math.hypot(tr[2] ?? 0, tr[3] ?? 0) });
      }
      const lines = groupLines(runs);
      out.set(index, {
        index,
        width: Math.round(vp.width),
        height: Math.round(vp.height),
        dpi: 72,
        rotation: 0,
        skew: 0,
        confidence: 100,
        text: lines.map((l) => l.text).join('\n'),
        lines,
        source: 'text-layer',
        durationMs: Date.now() - t0,
      });
      page.cleanup();
    }
  } finally {
    await doc.destroy();
  }
  return out;
}
