// The review queue: documents the machine was unsure of wait here until a person confirms their type
// and fields. The confirmation is audited, becomes training data, gets the document its code and sends
// it on to signing.
import { Type, type Static } from '@sinclair/typebox';
import * as documents from '../storage/catalog/documents.js';
import * as dossiers from '../storage/catalog/dossiers.js';
import { recordAudit } from '../storage/catalog/audit.js';
import { withTransaction } from '../storage/db.js';
import type { Document } from '../schemas/api.js';
import type { AppContext } from './context.js';
import type { AccessControl, Principal } from './access.js';
import { findType, knownFields } from './classify/index.js';
import { assignCode, codingInput } from './coding.js';
import { publicDocument, type DocumentReader } from './documents.js';
import { AppError } from './errors.js';

export const ReviewBody = Type.Object(
  {
    docType: Type.String({ minLength: 1, maxLength: 100, description: 'A catalog slug, or "unknown" for a paper outside the catalog' }),
    fields: Type.Record(Type.String({ maxLength: 100 }), Type.String({ maxLength: 500 }), { default: {} }),
  },
  { additionalProperties: false },
);
export type ReviewBody = Static<typeof ReviewBody>;

export class Review {
  constructor(
    private readonly ctx: AppContext,
    private readonly access: AccessControl,
    private readonly reader: DocumentReader,
  ) {}

  async queue(p: Principal, limit = 100): Promise<Document[]> {
    this.access.require(p, 'review');
    return (await documents.listReview(this.ctx.db, this.access.scope(p), limit)).map(publicDocument);
  }

  async confirm(p: Principal, id: string, body: ReviewBody): Promise<Document> {
    this.access.require(p, 'review');
    const doc = await this.reader.record(p, id);
    if (doc.status !== 'review') throw new AppError('VALIDATION_FAILED', `document is ${doc.status}, not in review`);
    const catalog = await this.ctx.knowledge.catalog();
    const def = body.docType === 'unknown' ? null : findType(catalog, body.docType);
    if (body.docType !== 'unknown' && !def) throw new AppError('VALIDATION_FAILED', `unknown document type ${body.docType}`);
    const allowed = new Set(def ? def.fields : knownFields());
    const bad = Object.keys(body.fields).filter((f) => !allowed.has(f));
    if (bad.length) throw new AppError('VALIDATION_FAILED', `fields not in ${body.docType}: ${bad.join(', ')}`);
    const fields = Object.fromEntries(Object.entries(body.fields).map(([k, v]) => [k, v.normalize('NFC').trim()]));
    const dossier = await dossiers.getDossier(this.ctx.db, doc.dossierCode);
    if (!dossier) throw new AppError('NOT_FOUND', `dossier ${doc.dossierCode}`);

    await withTransaction(this.ctx.db, async (tx) => {
      const assigned = await assignCode(tx, catalog, codingInput(doc, dossier, body.docType, fields));
      const checks = Object.fromEntries(Object.keys(fields).map((f) => [f, { ok: true, confidence: 1, reason: 'confirmed by staff' }]));
      const saved = await documents.saveCoded(
        tx,
        doc.id,
        { docType: body.docType, confidence: 1, fields, fieldChecks: checks, ...assigned, reviewedBy: p.actor },
        'review',
      );
      if (!saved) throw new AppError('VALIDATION_FAILED', 'document left review meanwhile');
      await recordAudit(tx, {
        actor: p.actor,
        actorRole: p.role,
        action: 'document.review',
        targetType: 'document',
        targetId: doc.id,
        unitCode: doc.unitCode,
        detail: {
          machine: { docType: doc.docType, confidence: doc.docTypeConfidence, fields: doc.fields, reasons: doc.reviewReasons },
          confirmed: { docType: body.docType, fields },
          code: assigned.code,
        },
      });
      await this.ctx.knowledge.learn(tx, { documentId: doc.id, docType: body.docType, text: doc.text ?? '', by: p.actor });
    });
    await this.ctx.queues.enqueue('sign', [doc.id]);
    return this.reader.document(p, id);
  }
}
