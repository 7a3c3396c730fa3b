// Re-drive of a failed document (admin): the document goes back to the status of the stage it had not
// finished, with its attempt count reset (a re-driven document gets its full retries), and that stage
// is queued afresh. Audited. A file that is itself damaged simply fails again with the same reason.
import * as documents from '../storage/catalog/documents.js';
import { recordAudit } from '../storage/catalog/audit.js';
import type { Document } from '../schemas/api.js';
import type { AppContext } from './context.js';
import type { AccessControl, Principal } from './access.js';
import type { DocumentReader } from './documents.js';
import { STAGE_SPECS, failedStage, handOn } from './pipeline.js';
import { AppError, bi } from './errors.js';

export async function retryDocument(ctx: AppContext, access: AccessControl, reader: DocumentReader, p: Principal, id: string): Promise<Document> {
  access.require(p, 'admin');
  const doc = await reader.record(p, id);
  if (doc.status !== 'failed') {
    throw new AppError('NOT_FAILED', bi(`tài liệu đang ở trạng thái ${doc.status}; chỉ chạy lại tài liệu bị lỗi`, `the document is ${doc.status}; only a failed document is re-driven`));
  }
  const stage = failedStage(doc);
  const status = STAGE_SPECS[stage].from[STAGE_SPECS[stage].from.length - 1]!;
  if (!(await documents.resumeFailed(ctx.db, doc.id, status))) {
    throw new AppError('NOT_FAILED', bi('tài liệu vừa được chạy lại', 'the document was re-driven meanwhile'));
  }
  await recordAudit(ctx.db, { actor: p.actor, actorRole: p.role, action: 'document.retry', targetType: 'document', targetId: doc.id, unitCode: doc.unitCode, detail: { stage, error: doc.error } });
  ctx.log.info({ documentId: doc.id, stage }, 'failed document re-driven');
  await handOn(ctx, doc.id, status);
  return reader.document(p, id);
}
