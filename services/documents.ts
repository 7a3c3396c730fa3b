// Read side of dossiers and documents, with the caller's unit scope applied.
import type { Readable } from 'node:stream';
import * as dossiers from '../storage/catalog/dossiers.js';
import * as documents from '../storage/catalog/documents.js';
import type { Document, Dossier } from '../schemas/api.js';
import type { AppContext } from './context.js';
import type { AccessControl, Principal } from './access.js';
import { AppError } from './errors.js';
import { recordAudit } from '../storage/catalog/audit.js';
import { reusedFromOf } from '../storage/catalog/reuse.js';

/** The public shape: catalog-internal keys stay inside. */
export function publicDocument(d: documents.DocumentRecord): Document {
  const { unitCode: _u, originalKey: _o, attempts: _a, ocrKey: _k, pdfKey: _p, signedKey: _s, seq: _q, pdfSha256: _h, ...pub } = d;
  return pub;
}

export class DocumentReader {
  /** Set at start by the archive: what a document view adds (where it was reused, validity, revocation). */
  extras: ((d: documents.DocumentRecord) => Promise<Partial<Document>>) | null = null;

  constructor(
    private readonly ctx: AppContext,
    private readonly access: AccessControl,
  ) {}

  async dossier(p: Principal, code: string): Promise<Dossier> {
    this.access.require(p, 'document.read');
    const d = await dossiers.getDossier(this.ctx.db, code);
    if (!d || !this.access.canSeeUnit(p, d.unitCode)) throw new AppError('NOT_FOUND', `dossier ${code}`);
    const docs = await documents.listDossierDocuments(this.ctx.db, code);
    // A receipt tells papers received from papers reused: each reused copy names its source.
    const reused = await reusedFromOf(this.ctx.db, docs.map((x) => x.id));
    return {
      dossierCode: d.code,
      unitCode: d.unitCode,
      procedureCode: d.procedureCode,
      applicantId: d.applicantId,
      channel: d.channel,
      receivedAt: d.receivedAt,
      documents: docs.map((x) => ({ ...publicDocument(x), reusedFrom: reused.get(x.id) ?? null })),
    };
  }

  async record(p: Principal, id: string): Promise<documents.DocumentRecord> {
    this.access.require(p, 'document.read');
    const d = /^[0-9a-f-]{36}$/i.test(id) ? await documents.getDocument(this.ctx.db, id) : null;
    // Out-of-scope documents answer 404, not 403, so ids of other units cannot be probed.
    if (!d || !this.access.canSeeUnit(p, d.unitCode)) throw new AppError('NOT_FOUND', `document ${id}`);
    return d;
  }

  async document(p: Principal, id: string, from: string | null = null): Promise<Document> {
    const doc = await this.record(p, id);
    await this.audit(p, doc, 'document.view', from);
    return { ...publicDocument(doc), ...(this.extras ? await this.extras(doc) : {}) };
  }

  /** Views and downloads are written to the audit log: who, which document, when, from where. */
  async audit(p: Principal, doc: documents.DocumentRecord, action: 'document.view' | 'document.pdf' | 'document.original', from: string | null): Promise<void> {
    await recordAudit(this.ctx.db, { actor: p.actor, actorRole: p.role, action, targetType: 'document', targetId: doc.id, unitCode: doc.unitCode, detail: { from } });
  }

  async original(p: Principal, id: string, from: string | null = null): Promise<{ doc: documents.DocumentRecord; body: Readable }> {
    const doc = await this.record(p, id);
    await this.audit(p, doc, 'document.original', from);
    const body = await this.ctx.store.stream(this.ctx.config.S3_BUCKET_ORIGINALS, doc.originalKey);
    return { doc, body };
  }
}
