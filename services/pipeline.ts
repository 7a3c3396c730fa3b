// The one place that chains the pipeline: which stage follows which, what each stage does with a
// document, and which statuses a stage may start from. Workers stay thin: load the job, call run().
import { UnrecoverableError } from 'bullmq';
import * as documents from '../storage/catalog/documents.js';
import type { DocumentStatus } from '../schemas/api.js';
import type { Stage } from '../schemas/jobs.js';
import type { AppContext } from './context.js';
import { AppError, isAppError } from './errors.js';
import { ingestDocument } from './stages/ingest.js';
import { ocrDocument } from './stages/ocr.js';
import { codeDocument } from './stages/code.js';
import { signDocument } from './stages/sign.js';

interface StageSpec {
  /** Statuses a document may be in when this stage starts; anything else means the work is done. */
  from: DocumentStatus[];
  /** Status shown while the stage runs, when it differs from the one the document is in. */
  running?: DocumentStatus;
  /** 'rest' stops the chain here: the document waits for a person (review). */
  run(ctx: AppContext, doc: documents.DocumentRecord): Promise<unknown>;
  next: Stage | null;
}

// ingest → ocr → code → (review →) sign. Review hands the document back to `sign` (services/review.ts).
export const STAGE_SPECS: Record<Stage, StageSpec> = {
  ingest: { from: ['received', 'queued', 'processing'], running: 'processing', run: ingestDocument, next: 'ocr' },
  ocr: { from: ['processing'], run: ocrDocument, next: 'code' },
  code: { from: ['ocr_done'], run: codeDocument, next: 'sign' },
  sign: { from: ['coded'], run: signDocument, next: null },
};

/** Errors that no retry can fix: the file itself is the problem. */
const PERMANENT = new Set(['FILE_CORRUPT', 'PAGE_UNREADABLE', 'IMAGE_TOO_LARGE', 'TOO_MANY_PAGES', 'IMAGE_TOO_SMALL', 'UNSUPPORTED_MEDIA_TYPE']);

export function isPermanent(err: unknown): boolean {
  return err instanceof UnrecoverableError || (isAppError(err) && PERMANENT.has(err.code));
}

export function errorInfo(err: unknown): { code: string; message: string } {
  if (isAppError(err)) return { code: err.code, message: err.userMessage };
  // Driver and library messages stay in the logs; the document shows a stable code.
  return { code: 'INTERNAL', message: new AppError('INTERNAL').userMessage };
}

/**
 * Runs one stage for one document. Idempotent: a document already past this stage is left alone; a
 * retried stage redoes its work over the same keys. Errors are recorded and rethrown so BullMQ retries
 * them (or, when permanent, fails the job at once).
 */
export async function runStage(ctx: AppContext, stage: Stage, documentId: string, attempt: number, maxAttempts: number): Promise<'done' | 'skipped'> {
  const spec = STAGE_SPECS[stage];
  const doc = await documents.getDocument(ctx.db, documentId);
  if (!doc) throw new UnrecoverableError(`document ${documentId} does not exist`);
  if (!spec.from.includes(doc.status)) return 'skipped';
  if (spec.running) await documents.transition(ctx.db, [doc.id], spec.running, spec.from, { attempts: attempt });
  const started = performance.now();
  let outcome: unknown;
  try {
    outcome = await spec.run(ctx, doc);
  } catch (err) {
    const info = errorInfo(err);
    const final = isPermanent(err) || attempt >= maxAttempts;
    ctx.metrics.jobFailures.inc({ stage, code: info.code, final: String(final) });
    ctx.metrics.jobDuration.observe({ stage, outcome: 'failed' }, (performance.now() - started) / 1000);
    if (final) await documents.markFailed(ctx.db, doc.id, info.code, info.message, attempt);
    else await documents.recordAttemptError(ctx.db, doc.id, info.code, info.message, attempt);
    ctx.log.warn({ stage, documentId, attempt, final, code: info.code, err: (err as Error)?.message }, 'stage failed');
    if (isPermanent(err) && !(err instanceof UnrecoverableError)) throw new UnrecoverableError(info.message);
    throw err;
  }
  const ms = performance.now() - started;
  ctx.metrics.jobDuration.observe({ stage, outcome: 'done' }, ms / 1000);
  await documents.addDuration(ctx.db, doc.id, stage, ms);
  if (spec.next && outcome !== 'review') await ctx.queues.enqueue(spec.next, [doc.id]);
  return 'done';
}
