import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { AppError } from '../errors.js';

const require = createRequire(import.meta.url);

// Plain JS so the same code runs under tsx, vitest and compiled output without a loader.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
(async () => {
  const lib = await import(workerData.pdfjsUrl);
  const doc = await lib.getDocument({
    data: workerData.bytes, isEvalSupported: false, disableFontFace: true, verbosity: 0,
    standardFontDataUrl: workerData.standardFontDataUrl, cMapUrl: workerData.cMapUrl, cMapPacked: true,
  }).promise;
  const page = await doc.getPage(workerData.pageIndex + 1);
  const viewport = page.getViewport({ scale: workerData.dpi / 72 });
  const { canvas, context } = doc.canvasFactory.create(Math.ceil(viewport.width), Math.ceil(viewport.height));
  await page.render({ canvas, canvasContext: context, viewport }).promise;
  const png = await canvas.encode('png');
  await doc.destroy();
  parentPort.postMessage({ png });
})().catch((err) => parentPort.postMessage({ error: String(err && err.message || err) }));
`;

function assets(): { pdfjsUrl: string; standardFontDataUrl: string; cMapUrl: string } {
  const root = path.dirname(require.resolve('pdfjs-dist/package.json'));
  return {
    pdfjsUrl: pathToFileURL(path.join(root, 'legacy', 'build', 'pdf.mjs')).href,
    standardFontDataUrl: pathToFileURL(path.join(root, 'standard_fonts') + path.sep).href,
    cMapUrl: pathToFileURL(path.join(root, 'cmaps') + path.sep).href,
  };
}

/**
 * Rasterizes one PDF page to PNG with pdfjs + @napi-rs/canvas in a worker thread: rendering a
 * 300 dpi page takes seconds of CPU that must not stall the event loop (queue lock renewals).
 */
export function renderPdfPage(bytes: Uint8Array, pageIndex: number, dpi: number, timeoutMs: number): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { ...assets(), bytes: new Uint8Array(bytes), pageIndex, dpi },
      resourceLimits: { maxOldGenerationSizeMb: 1024 },
    });
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
      void worker.terminate();
    };
    const timer = setTimeout(
      () => finish(() => reject(new AppError('OCR_TIMEOUT', `rendering PDF page ${pageIndex + 1} took more than ${timeoutMs} ms`))),
      timeoutMs,
    );
    worker.on('message', (msg: { png?: Uint8Array; error?: string }) => {
      if (msg.png) {
        const png = Buffer.from(msg.png.buffer, msg.png.byteOffset, msg.png.byteLength);
        finish(() => resolve(png));
      } else finish(() => reject(new AppError('PAGE_UNREADABLE', `PDF page ${pageIndex + 1} cannot be rendered: ${msg.error ?? 'unknown'}`)));
    });
    worker.on('error', (err) => finish(() => reject(new AppError('PAGE_UNREADABLE', `PDF page ${pageIndex + 1}: ${err.message}`))));
    worker.on('exit', (code) => finish(() => reject(new AppError('PAGE_UNREADABLE', `PDF renderer exited (${code})`))));
  });
}
