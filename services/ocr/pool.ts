import Tesseract from 'tesseract.js';
import { AppError } from '../errors.js';
import type { ModelLocation } from './models.js';

export type TessWorker = Tesseract.Worker;

export interface PoolOptions {
  workers: number;
  recycleAfterPages: number;
  pageTimeoutMs: number;
  createTimeoutMs?: number;
}

interface Slot {
  id: number;
  worker: TessWorker | null;
  pages: number;
  busy: boolean;
}

interface Job {
  task: (w: TessWorker) => Promise<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
  timeoutMs: number;
}

function withTimeout<T>(p: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/**
 * A fixed set of tesseract.js workers (each a worker_thread, so recognition never runs on the
 * event loop). Own pool rather than Tesseract's scheduler: the scheduler can neither time out a
 * job nor replace a worker, and tesseract's wasm heap only grows, so workers are recycled.
 */
export class OcrPool {
  private readonly slots: Slot[];
  private readonly queue: Job[] = [];
  private closed = false;
  readonly stats = { jobs: 0, created: 0, recycled: 0, timeouts: 0, failures: 0 };

  constructor(
    private readonly model: ModelLocation,
    private readonly opts: PoolOptions,
  ) {
    this.slots = Array.from({ length: Math.max(1, opts.workers) }, (_, id) => ({ id, worker: null, pages: 0, busy: false }));
  }

  get size(): number {
    return this.slots.length;
  }

  /** Starts every worker now, so a wrong model path fails at start-up, not on the first page. */
  async warmUp(): Promise<void> {
    await Promise.all(
      this.slots.map(async (s) => {
        s.worker ??= await this.spawn();
      }),
    );
  }

  run<T>(task: (w: TessWorker) => Promise<T>, timeoutMs = this.opts.pageTimeoutMs): Promise<T> {
    if (this.closed) return Promise.reject(new AppError('OCR_FAILED', 'OCR engine is closed'));
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ task, resolve: resolve as (v: unknown) => void, reject, timeoutMs });
      this.pump();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new AppError('OCR_FAILED', 'OCR engine closed'));
    await Promise.all(this.slots.map((s) => this.retire(s)));
  }

  private async spawn(): Promise<TessWorker> {
    const created = Tesseract.createWorker('vie', Tesseract.OEM.LSTM_ONLY, {
      langPath: this.model.langDir,
      gzip: this.model.gzip,
      cacheMethod: 'none',
      // Without a handler tesseract.js rethrows a job's failure outside any promise, which
      // kills the process on a corrupt image; the job's own promise still rejects.
      errorHandler: () => undefined,
      logger: () => undefined,
    });
    // A wrong langPath makes createWorker wait forever, so it gets a deadline of its own.
    const worker = await withTimeout(created, this.opts.createTimeoutMs ?? 60_000, () => {
      void created.then((w) => w.terminate()).catch(() => undefined);
      return new AppError('OCR_FAILED', `tesseract worker did not start (model ${this.model.model})`);
    });
    await worker.setParameters({
      tessedit_pageseg_mode: Tesseract.PSM.AUTO,
      user_defined_dpi: '300',
      // Looking for white-on-black text re-recognizes every doubtful line inverted; our papers
      // have none, and it costs ~25% of recognition time.
      tessedit_do_invert: '0',
      // Layout searches that cost ~10% of recognition time on the dev corpus without changing
      // word F1: table detection (the forms' grids read the same without it), vertical text
      // lines (sideways pages are turned before OCR) and fixed-pitch tests (proportional print).
      textord_tabfind_find_tables: '0',
      textord_tabfind_vertical_text: '0',
      textord_disable_pitch_test: '1',
    });
    this.stats.created++;
    return worker;
  }

  private async retire(slot: Slot): Promise<void> {
    const w = slot.worker;
    slot.worker = null;
    slot.pages = 0;
    if (w) await w.terminate().catch(() => undefined);
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (slot.busy) continue;
      const job = this.queue.shift();
      if (!job) return;
      slot.busy = true;
      void this.execute(slot, job).finally(() => {
        slot.busy = false;
        this.pump();
      });
    }
  }

  private async execute(slot: Slot, job: Job): Promise<void> {
    this.stats.jobs++;
    try {
      slot.worker ??= await this.spawn();
      const worker = slot.worker;
      const value = await withTimeout(job.task(worker), job.timeoutMs, () => {
        this.stats.timeouts++;
        return new AppError('OCR_TIMEOUT', `page took more than ${job.timeoutMs} ms`);
      });
      slot.pages++;
      if (slot.pages >= this.opts.recycleAfterPages) {
        this.stats.recycled++;
        await this.retire(slot);
      }
      job.resolve(value);
    } catch (err) {
      // After a timeout or a crash the worker's state is unknown: replace it.
      this.stats.failures++;
      await this.retire(slot);
      job.reject(err);
    }
  }
}
