// Nothing accepted is ever stuck: the sweep finds documents whose status calls for a stage and has not
// moved for longer than a stage's lock, and makes sure that stage's job exists (re-queueing it when a
// crash or a Redis outage lost the hand-off). Job ids derive from document ids, so a repeat is harmless.
// One process sweeps at a time (a PostgreSQL advisory lock), walking stale documents in pages so a
// long backlog of waiting documents cannot hide a stranded one behind it.
import * as documents from '../storage/catalog/documents.js';
import { pruneIdempotencyKeys } from '../storage/catalog/idempotency.js';
import { tryWithAdvisoryLock } from '../storage/db.js';
import type { AppContext } from './context.js';
import { stageFor } from './pipeline.js';
import type { Stage } from '../schemas/jobs.js';

const SWEEP_LOCK = 'motcua:recovery-sweep';
const PAGE = 1000;
/** Idempotency-Key answers are kept this long (README: 24 h), then pruned. */
export const IDEMPOTENCY_TTL_HOURS = 24;

export interface Requeued {
  documentId: string;
  stage: Stage;
  stuckSeconds: number;
}

export interface SweepResult {
  checked: number;
  requeued: Requeued[];
  /** False when another process holds the sweep. */
  ran: boolean;
}

/** One pass over every document that has rested in a non-resting status for longer than `staleAfterMs`. */
export async function sweep(ctx: AppContext, staleAfterMs: number): Promise<SweepResult> {
  const result: SweepResult = { checked: 0, requeued: [], ran: false };
  const ran = await tryWithAdvisoryLock(ctx.db, SWEEP_LOCK, async () => {
    let after: documents.StaleCursor | null = null;
    for (;;) {
      const page = await documents.listStale(ctx.db, staleAfterMs, after, PAGE);
      if (page.length === 0) break;
      const outcomes = await Promise.all(
        page.map(async (d) => {
          const stage = stageFor(d.status);
          return stage ? { d, stage, found: await ctx.queues.ensure(stage, d.id) } : null;
        }),
      );
      for (const o of outcomes) {
        if (!o || o.found === 'present') continue;
        const stuckSeconds = Math.round(o.d.stuckMs / 1000);
        result.requeued.push({ documentId: o.d.id, stage: o.stage, stuckSeconds });
        ctx.log.warn({ documentId: o.d.id, status: o.d.status, stage: o.stage, stuckSeconds, job: o.found }, 'recovery: document re-queued by the sweep');
      }
      result.checked += page.length;
      if (page.length < PAGE) break;
      const last = page[page.length - 1]!;
      after = { updatedAt: last.updatedAt, id: last.id };
    }
    const pruned = await pruneIdempotencyKeys(ctx.db, IDEMPOTENCY_TTL_HOURS);
    if (pruned > 0) ctx.log.info({ pruned }, 'expired idempotency keys pruned');
  });
  result.ran = ran;
  if (result.requeued.length > 0) ctx.metrics.recoveries.inc(result.requeued.length);
  return result;
}

export function startRecoverySweep(ctx: AppContext, intervalMs: number, staleAfterMs: number): () => void {
  let running = false;
  let failing = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      await sweep(ctx, staleAfterMs);
      if (failing) ctx.log.info('recovery sweep works again');
      failing = false;
    } catch (err) {
      // An outage is logged once, not every tick; the next successful pass says so.
      if (!failing) ctx.log.warn({ err: (err as Error).message }, 'recovery sweep failed; will retry');
      failing = true;
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
