// The review queue: documents the machine was unsure of wait here until a person confirms their type
// and fields. A correction changes only what it names (a field set to null is removed on purpose);
// every other value the machine read stays. The confirmation is audited field by field (machine,
// person, final), becomes training data, gets the document its code and sends it on to signing.
import { Type, type Static } from '@sinclair/typebox';
import * as documents from '../storage/catalog/documents.js';
import * as dossiers from '../storage/catalog/dossiers.js';
import { recordAudit } from '../storage/catalog/audit.js';
import { withTransaction } from '../storage/db.js';
import type { Document, ReviewRecord, ReviewedField } from '../schemas/api.js';
import type { AppContext } from './context.js';
import type { AccessControl, Principal } from './access.js';
import { findType, knownFields, type Catalog } from './classify/index.js';
import { checkFieldValue } from './classify/field-values.js';
import { assignCode, codingInput, codingProblem } from './coding.js';
import { publicDocument, type DocumentReader } from './documents.js';
import { AppError, bi } from './errors.js';
import { handOn } from './pipeline.js';

export const ReviewBody = Type.Object(
  {
    docType: Type.Optional(
      Type.String({ minLength: 1, maxLength: 100, description: 'A catalog slug, or "unknown" for a paper outside the catalog. Omitted: the type the machine read.' }),
    ),
    // Null before string: the API coerces types, and null tried as a string first would become "".
    fields: Type.Optional(
      Type.Record(Type.String({ maxLength: 100 }), Type.Union([Type.Null(), Type.String({ maxLength: 500 })]), {
        description: 'Only the fields to change: a string sets the value, null removes it. Fields not named keep the value the machine read.',
      }),
    ),
  },
  { additionalProperties: false, $id: 'ReviewBody' },
);
export type ReviewBody = Static<typeof ReviewBody>;

interface Resolved {
  docType: string;
  fields: Record<string, string>;
  perField: Record<string, ReviewedField>;
}

/** Merges a person's corrections over the machine's reading, validating what the person typed. */
export function resolveReview(doc: { docType: string | null; fields: Record<string, string> | null }, body: ReviewBody, catalog: Catalog, now = new Date()): Resolved {
  const docType = body.docType ?? doc.docType ?? 'unknown';
  const def = docType === 'unknown' ? null : findType(catalog, docType);
  if (docType !== 'unknown' && !def) {
    throw new AppError('VALIDATION_FAILED', bi(`docType: không có loại giấy tờ "${docType}" trong danh mục`, `docType: "${docType}" is not a document type of the catalog`), { field: 'docType' });
  }
  const allowed = new Set(def ? def.fields : knownFields());
  const corrections = body.fields ?? {};
  const notInType = Object.keys(corrections).filter((f) => !allowed.has(f));
  if (notInType.length) {
    throw new AppError(
      'VALIDATION_FAILED',
      bi(`fields: ${notInType.join(', ')} không thuộc loại ${docType} (có: ${[...allowed].join(', ')})`, `fields: ${notInType.join(', ')} are not fields of ${docType} (it has: ${[...allowed].join(', ')})`),
      { field: `fields.${notInType[0]}` },
    );
  }
  const machine = doc.fields ?? {};
  const fields: Record<string, string> = {};
  // A changed type keeps only the machine's values that belong to the new type.
  for (const [k, v] of Object.entries(machine)) if (allowed.has(k)) fields[k] = v;
  for (const [k, v] of Object.entries(corrections)) {
    if (v === null) {
      delete fields[k];
      continue;
    }
    const value = v.normalize('NFC').trim();
    const problem = checkFieldValue(k, value, now);
    if (problem) throw new AppError('VALIDATION_FAILED', bi(`fields.${problem.vi}`, `fields.${problem.en}`), { field: `fields.${k}` });
    fields[k] = value;
  }
  const perField: Record<string, ReviewedField> = {};
  for (const k of new Set([...Object.keys(machine), ...Object.keys(corrections), ...Object.keys(fields)])) {
    const entry: ReviewedField = { machine: machine[k] ?? null, final: fields[k] ?? null };
    if (k in corrections) entry.person = corrections[k] === null ? null : fields[k] ?? null;
    perField[k] = entry;
  }
  return { docType, fields, perField };
}

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
    if (doc.status !== 'review') throw new AppError('NOT_IN_REVIEW', bi(`tài liệu đang ở trạng thái ${doc.status}`, `the document is ${doc.status}`));
    const catalog = await this.ctx.knowledge.catalog();
    const resolved = resolveReview(doc, body, catalog);
    const dossier = await dossiers.getDossier(this.ctx.db, doc.dossierCode);
    if (!dossier) throw new AppError('NOT_FOUND', `dossier ${doc.dossierCode}`);
    const input = codingInput(doc, dossier, resolved.docType, resolved.fields);
    // A value no code can be built from (a number that reads as nothing) is the reviewer's to fix now.
    const problem = codingProblem(catalog, input);
    if (problem) throw new AppError('VALIDATION_FAILED', problem.detail, { field: problem.field });

    const record: ReviewRecord = {
      by: p.actor,
      at: new Date().toISOString(),
      machine: { docType: doc.docType, confidence: doc.docTypeConfidence, reasons: doc.reviewReasons ?? [] },
      docType: resolved.docType,
      fields: resolved.perField,
    };
    await withTransaction(this.ctx.db, async (tx) => {
      const assigned = await assignCode(tx, catalog, input);
      const machineChecks = (doc.fieldChecks ?? {}) as Record<string, { confidence?: number }>;
      const checks = Object.fromEntries(
        Object.entries(resolved.perField)
          .filter(([, f]) => f.final !== null)
          .map(([k, f]) => [
            k,
            'person' in f
              ? { ok: true, confidence: 1, reason: 'corrected by staff' }
              : { ok: true, confidence: machineChecks[k]?.confidence ?? 1, reason: 'read by the machine, confirmed by staff' },
          ]),
      );
      const saved = await documents.saveReviewed(tx, doc.id, {
        docType: resolved.docType,
        confidence: 1,
        fields: resolved.fields,
        fieldChecks: checks,
        ...assigned,
        reviewedBy: p.actor,
        review: record,
      });
      if (!saved) throw new AppError('NOT_IN_REVIEW', bi('tài liệu vừa được người khác xử lý', 'the document left review meanwhile'));
      await recordAudit(tx, {
        actor: p.actor,
        actorRole: p.role,
        action: 'document.review',
        targetType: 'document',
        targetId: doc.id,
        unitCode: doc.unitCode,
        detail: {
          machine: record.machine,
          confirmed: { docType: resolved.docType },
          fields: resolved.perField,
          code: assigned.code,
        },
      });
      await this.ctx.knowledge.learn(tx, { documentId: doc.id, docType: resolved.docType, text: doc.text ?? '', by: p.actor });
    });
    // The commit made the document `coded`: signing follows now, or from the recovery sweep if the
    // queue cannot take it at this moment (the confirmation itself is safe either way).
    await handOn(this.ctx, doc.id, 'coded').catch((err: Error) =>
      this.ctx.log.warn({ documentId: doc.id, err: err.message }, 'could not queue signing after review; the recovery sweep will'),
    );
    return this.reader.document(p, id);
  }
}
