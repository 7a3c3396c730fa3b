// One BullMQ worker per pipeline stage; each only loads the job and hands it to the pipeline.
import type { Worker } from 'bullmq';
import { Value } from '@sinclair/typebox/value';
import { createStageWorker } from '../storage/queues.js';
import { DocumentJob, STAGES, type Stage } from '../schemas/jobs.js';
import * as documents from '../storage/catalog/documents.js';
import type { AppContext } from '../services/context.js';
import { errorInfo, runStage } from '../services/pipeline.js';

export interface Workers {
  close(): Promise<void>;
}

export function startWorkers(ctx: AppContext, stages: readonly Stage[] = STAGES): Workers {
  const { config } = ctx;
  const workers: Worker<DocumentJob>[] = stages.map((stage) => {
    const w = createStageWorker(
      stage,
      async (job) => {
        if (!Value.Check(DocumentJob, job.data)) throw new Error(`malformed job data for ${stage}`);
        return runStage(ctx, stage, job.data.documentId, job.attemptsMade + 1, job.opts.attempts ?? 1);
      },
      {
        redisUrl: config.REDIS_URL,
        prefix: config.QUEUE_PREFIX,
        // OCR keeps one more document in flight than it has engines, so decoding overlaps recognition.
        concurrency: stage === 'ocr' ? Math.max(config.WORKER_CONCURRENCY, config.OCR_WORKERS + 1) : config.WORKER_CONCURRENCY,
        lockDuration: config.JOB_LOCK_MS,
        stalledInterval: config.JOB_STALLED_INTERVAL_MS,
        // An outage is one line when it starts and one when it ends, not a stack dump per retry.
        onConnection: (event, err) => {
          if (event === 'lost') ctx.log.warn({ stage, err: err?.message }, 'Redis connection lost; the worker waits for it');
          else ctx.log.info({ stage }, 'Redis reconnected; the worker goes on');
        },
      },
    );
    // A job failed by the stall checker (its worker died too often) never reached runStage's handler.
    w.on('failed', (job, err) => {
      if (!job || !/stalled/i.test(err.message)) return;
      const info = errorInfo(err);
      ctx.log.error({ stage, documentId: job.data.documentId }, 'job stalled too often (its worker died each time); document failed');
      documents.markFailed(ctx.db, job.data.documentId, 'JOB_STALLED', info.message, job.attemptsMade).catch(() => undefined);
    });
    w.on('stalled', (jobId) => ctx.log.warn({ stage, jobId }, 'recovery: stalled job taken over (its worker stopped renewing the lock)'));
    // Connection errors are reported once by onConnection; other worker errors are logged as they come.
    w.on('error', (err) => {
      if (!/ECONNREFUSED|ECONNRESET|ETIMEDOUT|Connection is closed|EPIPE/i.test(err.message)) ctx.log.error({ stage, err: err.message }, 'worker error');
    });
    return w;
  });
  return {
    async close() {
      await Promise.all(workers.map((w) => w.close()));
    },
  };
}
