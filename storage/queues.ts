// BullMQ queues, one per pipeline stage. Job ids derive from the document id, so enqueuing the same
// document twice (a retried request, the recovery sweep) never creates a second job.
import { Queue, Worker, type Job, type Processor } from 'bullmq';
import { hostname } from 'node:os';
import { Redis } from 'ioredis';
import type { Stage } from '../schemas/jobs.js';
import type { DocumentJob } from '../schemas/jobs.js';

export interface QueueOptions {
  redisUrl: string;
  prefix: string;
  attempts: number;
  backoffMs: number;
}

/** What ensure() found: a live job left alone, or a job (re)created. */
export type EnsureResult = 'present' | 'added' | 'replaced';

export interface Queues {
  /** The producers' Redis connection (also used to publish change notices). */
  readonly redis: Redis;
  /** Redis's maxmemory-policy: the queues need `noeviction`, or jobs could silently vanish. */
  evictionPolicy(): Promise<string | null>;
  enqueue(stage: Stage, documentIds: string[]): Promise<void>;
  /**
   * Makes sure a live job exists for the document at this stage: leaves a waiting, delayed or active
   * one alone, replaces one that already completed or failed (an earlier pass), adds one that is
   * missing. Safe under concurrency: job ids derive from the document.
   */
  ensure(stage: Stage, documentId: string): Promise<EnsureResult>;
  counts(states?: readonly string[]): Promise<Record<string, Record<string, number>>>;
  queue(stage: Stage): Queue<DocumentJob>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export const jobId = (stage: Stage, documentId: string) => `${stage}-${documentId}`;

export function redisConnection(url: string, forWorker: boolean): Redis {
  // Workers wait out a Redis restart (null retries); producers give up after a few tries, and the
  // recovery sweep queues what they could not.
  return new Redis(url, { maxRetriesPerRequest: forWorker ? null : 2 });
}

export function createQueues(opts: QueueOptions, stages: readonly Stage[]): Queues {
  const connection = redisConnection(opts.redisUrl, false);
  connection.on('error', () => undefined); // reported by ping() and by failing enqueues
  const queues = new Map<Stage, Queue<DocumentJob>>();
  for (const stage of stages) {
    queues.set(
      stage,
      new Queue<DocumentJob>(stage, {
        connection,
        prefix: opts.prefix,
        defaultJobOptions: {
          attempts: opts.attempts,
          backoff: { type: 'exponential', delay: opts.backoffMs },
          removeOnComplete: { age: 24 * 3600, count: 10_000 },
          removeOnFail: { age: 14 * 24 * 3600 },
        },
      }),
    );
  }
  const get = (stage: Stage) => {
    const q = queues.get(stage);
    if (!q) throw new Error(`no queue for stage ${stage}`);
    return q;
  };
  return {
    redis: connection,
    async evictionPolicy() {
      const info = await connection.info('memory');
      return /^maxmemory_policy:(\S+)/m.exec(info)?.[1] ?? null;
    },
    queue: get,
    async enqueue(stage, documentIds) {
      if (documentIds.length === 0) return;
      await get(stage).addBulk(
        documentIds.map((documentId) => ({ name: stage, data: { documentId }, opts: { jobId: jobId(stage, documentId) } })),
      );
    },
    async ensure(stage, documentId) {
      const q = get(stage);
      const id = jobId(stage, documentId);
      const state = await q.getJobState(id);
      if (state === 'completed' || state === 'failed') {
        // A finished job keeps its id until it is removed; the document is back in this stage's status.
        try {
          await q.remove(id);
        } catch {
          return 'present'; // taken meanwhile by a worker: it is live again
        }
      } else if (state !== 'unknown') {
        return 'present';
      }
      await q.add(stage, { documentId }, { jobId: id });
      return state === 'unknown' ? 'added' : 'replaced';
    },
    async counts(states = ['waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized']) {
      const entries = await Promise.all(
        [...queues].map(async ([stage, q]) => [stage, await q.getJobCounts(...(states as Parameters<typeof q.getJobCounts>))] as const),
      );
      return Object.fromEntries(entries);
    },
    async ping() {
      await connection.ping();
    },
    async close() {
      await Promise.all([...queues.values()].map((q) => q.close()));
      connection.disconnect();
    },
  };
}

export interface WorkerOptions {
  redisUrl: string;
  prefix: string;
  concurrency: number;
  lockDuration: number;
  stalledInterval: number;
  /** Told when the worker's Redis connection drops and when it is back (for one log line each). */
  onConnection?: (event: 'lost' | 'back', err?: Error) => void;
}

export function createStageWorker(
  stage: Stage,
  processor: Processor<DocumentJob>,
  opts: WorkerOptions,
): Worker<DocumentJob> {
  const connection = redisConnection(opts.redisUrl, true);
  let lost = false;
  connection.on('error', (err: Error) => {
    if (!lost) opts.onConnection?.('lost', err);
    lost = true;
  });
  connection.on('ready', () => {
    if (lost) opts.onConnection?.('back');
    lost = false;
  });
  return new Worker<DocumentJob>(stage, processor, {
    connection,
    // Each job records which process took it (host:pid), so an operator can tell whose jobs were taken over.
    name: `${hostname()}:${process.pid}`,
    prefix: opts.prefix,
    concurrency: opts.concurrency,
    // The lock is renewed every half lock; a job whose worker died is taken over once its lock has
    // expired and the stall checker has run: within lockDuration + stalledInterval. It is retried at
    // most twice that way, then failed (a page that kills its worker must not kill them all).
    lockDuration: opts.lockDuration,
    stalledInterval: opts.stalledInterval,
    maxStalledCount: 2,
    autorun: true,
  });
}

export type { Job };
