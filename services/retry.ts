// Re-drive of a failed document (admin): the failed BullMQ job is retried from its stage, the
// document goes back to the status that stage starts from, and the action is audited. A file that is
// itself damaged will simply fail again with the same reason.
import * as documents from '../storage/catalog/documents.js';
import { recordAudit } from '../storage/catalog/audit.js';
import { STAGES } from '../schemas/jobs.js';
import type { Document } from '../schemas/api.js';
import { jobId } from '../storage/queues.js';
import type { AppContext } from './context.js';
import type { AccessControl, Principal } from './access.js';
import type { DocumentReader } from './documents.js';
import { STAGE_SPECS } from './pipeline.js';
import { AppError } from './errors.js';

export async function retryDocument(ctx: AppContext, access: AccessControl, reader: DocumentReader, p: Principal, id: string): Promise<Document> {
  access.require(p, 'admin');
  const doc = await reader.record(p, id);
  if (doc.status !== 'failed') throw new AppError('VALIDATION_FAILED', `document is ${doc.status}, not failed`);
  for (const stage of [...STAGES].reverse()) {
    const job = await ctx.queues.queue(stage).getJob(jobId(stage, doc.id));
    if (!job || (await job.getState()) !== 'failed') continue;
    const resumeAt = STAGE_SPECS[stage].from[0]!;
    await documents.resumeFailed(ctx.db, doc.id, resumeAt);
    await job.retry('failed');
    await recordAudit(ctx.db, { actor: p.actor, actorRole: p.role, action: 'document.retry', targetType: 'document', targetId: doc.id, unitCode: doc.unitCode, detail: { stage, error: doc.error } });
    return reader.document(p, id);
  }
  // No failed job left (removed after its retention): start over from ingest.
  await documents.transition(ctx.db, [doc.id], 'queued', ['failed']);
  await ctx.queues.queue('ingest').add('ingest', { documentId: doc.id }, { jobId: `${jobId('ingest', doc.id)}-r${Date.now()}` });
  await recordAudit(ctx.db, { actor: p.actor, actorRole: p.role, action: 'document.retry', targetType: 'document', targetId: doc.id, unitCode: doc.unitCode, detail: { stage: 'ingest', error: doc.error } });
  return reader.document(p, id);
}
