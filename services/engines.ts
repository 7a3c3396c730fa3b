// Heavy per-process engines (the tesseract pool), started on first use by a worker and closed on
// shutdown. The API process never starts one.
import { createOcrEngine, type OcrEngine } from './ocr/index.js';
import type { Config } from './config.js';

export class Engines {
  private ocrEngine: Promise<OcrEngine> | null = null;

  constructor(private readonly config: Config) {}

  ocr(): Promise<OcrEngine> {
    this.ocrEngine ??= createOcrEngine({
      workers: this.config.OCR_WORKERS,
      recycleAfterPages: this.config.OCR_RECYCLE_PAGES,
      pageTimeoutMs: this.config.OCR_PAGE_TIMEOUT_MS,
      maxPixels: this.config.MAX_IMAGE_PIXELS,
    }).catch((err: unknown) => {
      this.ocrEngine = null; // let the next job try again
      throw err;
    });
    return this.ocrEngine;
  }

  async close(): Promise<void> {
    const e = this.ocrEngine;
    this.ocrEngine = null;
    if (e) await (await e).close();
  }
}
