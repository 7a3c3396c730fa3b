// BullMQ queues, one per pipeline stage. Job ids derive from the document id, so enqueuing the same
// document twice (a retried request, the recovery sweep) never creates a second job.
import { Queue, Worker, type Job, type Processor } from 'bullmq';
import { Redis } from 'ioredis';
import type { Stage } from '../schemas/jobs.js';
import type { DocumentJob } from '../schemas/jobs.js';

export interface QueueOptions {
  redisUrl: string;
  prefix: string;
  attempts: number;
  backoffMs: number;
}

export interface Queues {
  enqueue(stage: Stage, documentIds: string[]): Promise<void>;
  counts(): Promise<Record<string, Record<string, number>>>;
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
    queue: get,
    async enqueue(stage, documentIds) {
      if (documentIds.length === 0) return;
      await get(stage).addBulk(
        documentIds.map((documentId) => ({ name: stage, data: { documentId }, opts: { jobId: jobId(stage, documentId) } })),
      );
    },
    async counts() {
      const out: Record<string, Record<string, number>> = {};
      for (const [stage, q] of queues) {
        out[stage] = await q.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized');
      }
      return out;
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
}

export function createStageWorker(
  stage: Stage,
  processor: Processor<DocumentJob>,
  opts: WorkerOptions,
): Worker<DocumentJob> {
  const connection = redisConnection(opts.redisUrl, true);
  connection.on('error', () => undefined);
  return new Worker<DocumentJob>(stage, processor, {
    connection,
    prefix: opts.prefix,
    concurrency: opts.concurrency,
    lockDuration: opts.lockDuration,
    // A job whose worker died is retried after the stall interval, at most twice, then failed.
    stalledInterval: Math.min(30_000, opts.lockDuration),
    maxStalledCount: 2,
    autorun: true,
  });
}

export type { Job };
