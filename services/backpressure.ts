// Back-pressure: when the pipeline's queues already hold more work than MAX_QUEUED_JOBS, intake answers
// 503 with Retry-After instead of accepting without bound (uploads already accepted are never dropped).
// The load is read from Redis at most once a second, so a burst of uploads costs one count.
import type { Queues } from '../storage/queues.js';
import { AppError, bi } from './errors.js';

export interface Load {
  jobs: number;
  limit: number;
  full: boolean;
}

const FRESH_MS = 1000;
const BUSY_STATES = ['waiting', 'delayed', 'prioritized', 'active'] as const;

export class Backpressure {
  private last: { at: number; load: Promise<Load> } | null = null;

  constructor(
    private readonly queues: Queues,
    private readonly limit: number,
    private readonly retryAfterSeconds: number,
  ) {}

  load(): Promise<Load> {
    const now = Date.now();
    if (!this.last || now - this.last.at > FRESH_MS) {
      const load = this.queues.counts(BUSY_STATES).then((counts) => {
        let jobs = 0;
        for (const states of Object.values(counts)) for (const n of Object.values(states)) jobs += n;
        return { jobs, limit: this.limit, full: jobs >= this.limit };
      });
      // A failed count is not remembered: Redis down is for /ready and the queueing to report.
      load.catch(() => (this.last = null));
      this.last = { at: now, load };
    }
    return this.last.load;
  }

  /** Throws QUEUE_FULL (503, Retry-After) when the queues are full; lets the request in otherwise. */
  async admit(): Promise<void> {
    let load: Load;
    try {
      load = await this.load();
    } catch {
      return; // Redis unreachable: accept; the recovery sweep queues what is committed.
    }
    if (load.full) {
      throw new AppError(
        'QUEUE_FULL',
        bi(`${load.jobs} việc đang chờ, giới hạn ${load.limit}`, `${load.jobs} jobs waiting, limit ${load.limit}`),
        { retryAfter: this.retryAfterSeconds },
      );
    }
  }
}
