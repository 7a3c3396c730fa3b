// The one place that chains the pipeline: which stage a status calls for, what each stage does with a
// document, and how a document is handed on.
//
// The status in PostgreSQL is the record of the next step: every stage commits its result and the
// document's next status in one statement, and each non-resting status names exactly one stage
// (received/queued → ingest, processing → ocr, ocr_done → code, coded → sign). Queueing that stage
// comes after the commit and may fail (Redis down, a crash); nothing depends on it succeeding, because
// a stage that finds its work already done hands on again, and the recovery sweep (services/recovery.ts)
// re-queues any document whose status has not moved for longer than a stage's lock.
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
  /** Statuses this stage starts from; a document in any other status is past it (or resting). */
  from: readonly DocumentStatus[];
  /** Does the work and commits the document's next status. */
  run(ctx: AppContext, doc: documents.DocumentRecord): Promise<unknown>;
}

// ingest → ocr → code → (review →) sign. Review commits `coded` and hands on (services/review.ts).
export const STAGE_SPECS: Record<Stage, StageSpec> = {
  ingest: { from: ['received', 'queued'], run: ingestDocument },
  ocr: { from: ['processing'], run: ocrDocument },
  code: { from: ['ocr_done'], run: codeDocument },
  sign: { from: ['coded'], run: signDocument },
};

/** Statuses where a document waits for a person (or for nothing) instead of for a stage. */
export const RESTING: readonly DocumentStatus[] = ['review', 'done', 'failed'];

/** The stage a status calls for, or null when the document rests. */
export function stageFor(status: DocumentStatus): Stage | null {
  for (const [stage, spec] of Object.entries(STAGE_SPECS) as [Stage, StageSpec][]) {
    if (spec.from.includes(status)) return stage;
  }
  return null;
}

/** Where a failed document resumes: the stage it had not finished, read from its status timestamps. */
export function failedStage(doc: documents.DocumentRecord): Stage {
  if (!doc.timestamps['processing']) return 'ingest';
  if (!doc.timestamps['ocr_done']) return 'ocr';
  if (!doc.code) return 'code';
  return 'sign';
}

/**
 * Queues the stage the document's status calls for (nothing when it rests). Safe to call any number
 * of times: job ids derive from the document, and a job that already ran for an earlier pass through
 * this status is replaced.
 */
export async function handOn(ctx: AppContext, documentId: string, status: DocumentStatus): Promise<Stage | null> {
  const stage = stageFor(status);
  if (stage) await ctx.queues.ensure(stage, documentId);
  return stage;
}

/** Errors that no retry can fix: the file itself is the problem, or a person must act first. */
const PERMANENT = new Set([
  'FILE_CORRUPT',
  'PAGE_UNREADABLE',
  'IMAGE_TOO_LARGE',
  'TOO_MANY_PAGES',
  'IMAGE_TOO_SMALL',
  'UNSUPPORTED_MEDIA_TYPE',
  'PDF_ACTIVE_CONTENT',
  'PDF_BLANK',
  'INTEGRITY_MISMATCH',
  // An administrator installs the certificate, then re-drives the document (POST /documents/{id}/retry).
  'SIGNER_MISSING',
]);

export function isPermanent(err: unknown): boolean {
  return err instanceof UnrecoverableError || (isAppError(err) && PERMANENT.has(err.code));
}

export function errorInfo(err: unknown): { code: string; message: string } {
  if (isAppError(err)) return { code: err.code, message: err.userMessage };
  // Driver and library messages stay in the logs; the document shows a stable code.
  return { code: 'INTERNAL', message: new AppError('INTERNAL').userMessage };
}

/**
 * Runs one stage for one document. Idempotent: a document already past this stage is handed on to
 * the stage its status calls for; a retried stage redoes its work over the same keys. Errors are
 * recorded and rethrown so BullMQ retries them (or, when permanent, fails the job at once).
 */
export async function runStage(ctx: AppContext, stage: Stage, documentId: string, attempt: number, maxAttempts: number): Promise<'done' | 'skipped'> {
  const spec = STAGE_SPECS[stage];
  const doc = await documents.getDocument(ctx.db, documentId);
  if (!doc) throw new UnrecoverableError(`document ${documentId} does not exist`);
  const log = ctx.log.child({ documentId, stage });
  if (!spec.from.includes(doc.status)) {
    // Committed by an earlier attempt whose hand-off was lost (Redis down, a crash): hand on now.
    const next = await handOn(ctx, doc.id, doc.status);
    log.info({ status: doc.status, handedOnTo: next, outcome: 'skipped' }, 'stage already done; handed on');
    return 'skipped';
  }
  const started = performance.now();
  try {
    await spec.run(ctx, doc);
  } catch (err) {
    const info = errorInfo(err);
    const final = isPermanent(err) || attempt >= maxAttempts;
    const ms = Math.round(performance.now() - started);
    ctx.metrics.jobFailures.inc({ stage, code: info.code, final: String(final) });
    ctx.metrics.jobDuration.observe({ stage, outcome: 'failed' }, ms / 1000);
    if (final) await documents.markFailed(ctx.db, doc.id, info.code, info.message, attempt);
    else await documents.recordAttemptError(ctx.db, doc.id, info.code, info.message, attempt);
    const cause = (err as Error)?.cause instanceof Error ? ((err as Error).cause as Error).message : undefined;
    log.warn({ attempt, final, code: info.code, ms, outcome: final ? 'failed' : 'retrying', err: (err as Error)?.message, cause }, 'stage failed');
    if (isPermanent(err) && !(err instanceof UnrecoverableError)) throw new UnrecoverableError(info.message);
    throw err;
  }
  const ms = performance.now() - started;
  ctx.metrics.jobDuration.observe({ stage, outcome: 'done' }, ms / 1000);
  const status = await documents.finishStage(ctx.db, doc.id, stage, ms);
  log.info({ ms: Math.round(ms), status, outcome: 'done' }, 'stage done');
  if (status) await handOn(ctx, doc.id, status);
  return 'done';
}
