// Nothing accepted is ever lost: documents committed but never queued (a crash or a Redis outage between
// the commit and the enqueue) are found here and queued; job ids make a repeat harmless.
import * as documents from '../storage/catalog/documents.js';
import type { AppContext } from './context.js';

export async function requeueUnqueued(ctx: AppContext, olderThanSeconds: number): Promise<number> {
  const ids = await documents.listUnqueued(ctx.db, olderThanSeconds);
  if (ids.length === 0) return 0;
  await ctx.queues.enqueue('ingest', ids);
  await documents.transition(ctx.db, ids, 'queued', ['received']);
  ctx.log.info({ documents: ids.length }, 'recovered documents that had not been queued');
  return ids.length;
}

export function startRecoverySweep(ctx: AppContext, intervalMs: number): () => void {
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      await requeueUnqueued(ctx, Math.ceil(intervalMs / 1000));
    } catch (err) {
      ctx.log.warn({ err: (err as Error).message }, 'recovery sweep failed; will retry');
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
