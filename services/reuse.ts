// Reuse of a paper already digitized (POST /v1/dossiers/{code}/reuse) instead of a new scan, and the
// revocation of a result by its issuing unit. A reuse is refused with its own code when the paper is
// not done, revoked, superseded, expired, another person's, or its stored signature no longer verifies
// (checked here, on the stored bytes, so a tampered object is caught before it enters a dossier).
import { createHash, randomUUID } from 'node:crypto';
import * as documents from '../storage/catalog/documents.js';
import * as dossiers from '../storage/catalog/dossiers.js';
import * as reuses from '../storage/catalog/reuse.js';
import { personIdsOf } from '../storage/catalog/search.js';
import { recordAudit } from '../storage/catalog/audit.js';
import { withTransaction } from '../storage/db.js';
import type { Document, ReuseBody, ReuseReply, RevokeBody, Role } from '../schemas/api.js';
import type { AppContext } from './context.js';
import type { AccessControl, Principal } from './access.js';
import { AppError, bi, type ErrorCode } from './errors.js';
import { validityOf, vietnamDay, type NotReusableReason } from './validity.js';
import { crossUnitAllowed } from './people.js';

/** Roles that may link another person's paper into a dossier, with a reason (a guardian, an heir). */
export const OTHER_PERSON_ROLES: ReadonlySet<Role> = new Set(['archive', 'admin']);
/** Roles that may revoke or supersede a result of their own units. */
export const REVOKE_ROLES: ReadonlySet<Role> = new Set(['leader', 'admin']);

const REFUSAL: Record<NotReusableReason, { vi: string; en: string }> = {
  NOT_DONE: { vi: 'tài liệu đang ở trạng thái', en: 'the document is' },
  REVOKED: { vi: 'đơn vị cấp đã thu hồi', en: 'the issuing unit revoked it' },
  SUPERSEDED: { vi: 'đã có kết quả thay thế', en: 'a newer result replaces it' },
  EXPIRED: { vi: 'hết hiệu lực', en: 'it is no longer valid' },
};

const notFound = (id: string) => new AppError('NOT_FOUND', bi(`không có tài liệu ${id}`, `no document ${id}`));

export class Reuse {
  constructor(
    private readonly ctx: AppContext,
    private readonly access: AccessControl,
  ) {}

  async reuse(p: Principal, dossierCode: string, body: ReuseBody, from: string | null): Promise<{ created: boolean; reply: ReuseReply }> {
    this.access.require(p, 'reuse');
    const dossier = await dossiers.getDossier(this.ctx.db, dossierCode);
    if (!dossier || !this.access.canSeeUnit(p, dossier.unitCode)) {
      throw new AppError('NOT_FOUND', bi(`không có hồ sơ ${dossierCode}`, `no dossier ${dossierCode}`));
    }
    let doc = await documents.getDocument(this.ctx.db, body.documentId);
    if (!doc) throw notFound(body.documentId);
    const inScope = this.access.canSeeUnit(p, doc.unitCode);
    // A copy stands for its source: reusing it reuses the paper it links to.
    const facts = await reuses.archiveFacts(this.ctx.db, doc.id);
    if (facts?.reusedFrom) {
      const source = await documents.getDocument(this.ctx.db, facts.reusedFrom);
      if (!source) throw notFound(body.documentId);
      doc = source;
    }
    const owners = await personIdsOf(this.ctx.db, doc.id);
    const applicantsOwn = owners.includes(dossier.applicantId);
    // Another unit's paper is reachable only the way people/{id}/documents shows it: a desk of the same
    // province, for the dossier applicant's own paper. Otherwise it answers like a missing one.
    if (!inScope && !(applicantsOwn && crossUnitAllowed(p, doc.unitCode))) throw notFound(body.documentId);

    const repeat = await reuses.findReuse(this.ctx.db, dossier.code, doc.id);
    if (repeat) return { created: false, reply: this.reply(repeat) };

    const catalog = await this.ctx.knowledge.catalog();
    const srcFacts = facts?.reusedFrom ? await reuses.archiveFacts(this.ctx.db, doc.id) : facts;
    const v = validityOf(
      { status: doc.status, fields: doc.fields, revokedAt: srcFacts?.revocation?.at ?? null, supersededBy: srcFacts?.revocation?.supersededBy ?? null },
      catalog.types.find((t) => t.slug === doc.docType),
      vietnamDay(),
    );
    if (!v.reusable && v.notReusableReason) {
      const r = REFUSAL[v.notReusableReason];
      const code: ErrorCode = v.notReusableReason;
      const detail =
        v.notReusableReason === 'NOT_DONE'
          ? bi(`${r.vi} ${doc.status}`, `${r.en} ${doc.status}`)
          : v.notReusableReason === 'SUPERSEDED'
            ? bi(`${r.vi}: ${srcFacts?.revocation?.supersededBy}`, `${r.en}: ${srcFacts?.revocation?.supersededBy}`)
            : v.notReusableReason === 'EXPIRED'
              ? bi(`${r.vi}${v.validUntil ? ` (đến ${v.validUntil})` : ''}`, `${r.en}${v.validUntil ? ` (valid until ${v.validUntil})` : v.note ? ` (${v.note})` : ''}`)
              : bi(r.vi, r.en);
      throw new AppError(code, detail, { field: 'documentId' });
    }
    if (!applicantsOwn && !(OTHER_PERSON_ROLES.has(p.role) && body.reason)) {
      throw new AppError(
        'OTHER_PERSON',
        bi(
          `documentId: tài liệu không ghi số định danh của người nộp hồ sơ ${dossier.code}${OTHER_PERSON_ROLES.has(p.role) ? '; nếu đúng là cần dùng, gửi kèm lý do (reason)' : ''}`,
          `documentId: the paper does not name the applicant of dossier ${dossier.code}${OTHER_PERSON_ROLES.has(p.role) ? '; if it is meant, send a reason' : ''}`,
        ),
        { field: 'documentId' },
      );
    }
    await this.checkSignature(doc);

    const event = await withTransaction(this.ctx.db, async (tx) => {
      const made = await reuses.insertReuse(tx, {
        id: randomUUID(),
        copyId: randomUUID(),
        dossierCode: dossier.code,
        documentId: doc.id,
        componentCode: body.componentCode ?? null,
        reusingUnitCode: dossier.unitCode,
        issuingUnitCode: doc.unitCode,
        actor: p.actor,
        actorRole: p.role,
        reason: body.reason ?? null,
      });
      if (!made) return null;
      await recordAudit(tx, {
        actor: p.actor,
        actorRole: p.role,
        action: 'document.reuse',
        targetType: 'document',
        targetId: doc.id,
        documentId: doc.id,
        unitCode: dossier.unitCode,
        personId: dossier.applicantId,
        detail: { reuseId: made.id, dossierCode: dossier.code, copyId: made.copyId, issuingUnitCode: doc.unitCode, componentCode: body.componentCode ?? null, reason: body.reason ?? null, from },
      });
      return made;
    });
    if (event) return { created: true, reply: this.reply(event) };
    // The same reuse committed by a concurrent request: answer with the first one.
    const first = await reuses.findReuse(this.ctx.db, dossier.code, doc.id);
    if (!first) throw new AppError('INTERNAL', 'reuse event vanished after a conflict');
    return { created: false, reply: this.reply(first) };
  }

  private reply(e: reuses.ReuseEvent): ReuseReply {
    return { reuseId: e.id, copyId: e.copyId ?? '', documentId: e.documentId, dossierCode: e.dossierCode, at: e.at };
  }

  /** The stored signed PDF must be the one signed (its SHA-256) and its signature must still verify. */
  private async checkSignature(doc: documents.DocumentRecord): Promise<void> {
    const refuse = (en: string, vi: string) => new AppError('SIGNATURE_INVALID', bi(vi, en), { field: 'documentId' });
    if (!doc.signedKey) throw refuse('the document has no stored signed PDF', 'tài liệu không có bản PDF đã ký trong kho');
    const unavailable = (err: unknown) => new AppError('STORE_UNAVAILABLE', 'reading the signed PDF for reuse', { cause: err, retryAfter: 5 });
    const found = await this.ctx.store.stat(this.ctx.config.S3_BUCKET_RESULTS, doc.signedKey).catch((err: unknown) => {
      throw unavailable(err);
    });
    if (!found) throw refuse('the stored signed PDF is missing', 'bản PDF đã ký không còn trong kho');
    const bytes = await this.ctx.store.get(this.ctx.config.S3_BUCKET_RESULTS, doc.signedKey).catch((err: unknown) => {
      throw unavailable(err);
    });
    const { rows } = await this.ctx.db.query<{ signed_sha256: string | null }>('SELECT signed_sha256 FROM documents WHERE id = $1', [doc.id]);
    const expected = rows[0]?.signed_sha256 ?? null;
    if (expected && createHash('sha256').update(bytes).digest('hex') !== expected) {
      throw refuse('the stored signed PDF is not the one signed (its SHA-256 differs)', 'bản PDF đã ký trong kho không còn là bản đã ký (mã băm SHA-256 khác)');
    }
    let result;
    try {
      result = await this.ctx.signatures.verify(bytes);
    } catch {
      throw refuse('the stored signed PDF cannot be read as a PDF', 'bản PDF đã ký trong kho không đọc được');
    }
    if (!result.valid) throw refuse(`the signature does not verify: ${result.reason ?? 'untrusted or altered'}`, `chữ ký không hợp lệ: ${result.reason ?? 'không tin cậy hoặc đã bị sửa'}`);
  }

  async revoke(p: Principal, id: string, body: RevokeBody, from: string | null) {
    this.access.require(p, 'document.read');
    const doc = /^[0-9a-f-]{36}$/i.test(id) ? await documents.getDocument(this.ctx.db, id) : null;
    if (!doc || !this.access.canSeeUnit(p, doc.unitCode)) throw notFound(id);
    if (!REVOKE_ROLES.has(p.role)) {
      throw new AppError('FORBIDDEN', bi(`vai trò ${p.role} không được thu hồi kết quả; cần lãnh đạo hoặc quản trị của đơn vị cấp`, `the ${p.role} role cannot revoke results; a leader or admin of the issuing unit can`));
    }
    const facts = await reuses.archiveFacts(this.ctx.db, doc.id);
    if (facts?.reusedFrom) {
      throw new AppError('VALIDATION_FAILED', bi('đây là bản tái sử dụng; thu hồi tài liệu gốc', 'this is a reused copy; revoke the original'), { field: 'id' });
    }
    if (body.supersededBy) {
      const newer = await documents.getDocument(this.ctx.db, body.supersededBy);
      if (!newer || !this.access.canSeeUnit(p, newer.unitCode)) {
        throw new AppError('NOT_FOUND', bi(`supersededBy: không có tài liệu ${body.supersededBy}`, `supersededBy: no document ${body.supersededBy}`), { field: 'supersededBy' });
      }
      if (newer.id === doc.id) {
        throw new AppError('VALIDATION_FAILED', bi('supersededBy: một kết quả không thể thay thế chính nó', 'supersededBy: a result cannot supersede itself'), { field: 'supersededBy' });
      }
    }
    if (facts?.revocation) return { id: doc.id, revoked: true, revocation: facts.revocation };
    const revocation = await withTransaction(this.ctx.db, async (tx) => {
      const r = await reuses.revoke(tx, doc.id, p.actor, body.reason, body.supersededBy ?? null);
      if (r) {
        await recordAudit(tx, {
          actor: p.actor,
          actorRole: p.role,
          action: body.supersededBy ? 'document.supersede' : 'document.revoke',
          targetType: 'document',
          targetId: doc.id,
          unitCode: doc.unitCode,
          detail: { reason: body.reason, supersededBy: body.supersededBy ?? null, from },
        });
      }
      return r;
    });
    const now = revocation ?? (await reuses.archiveFacts(this.ctx.db, doc.id))?.revocation;
    if (!now) throw notFound(id);
    return { id: doc.id, revoked: true, revocation: now };
  }

  /** What GET /v1/documents/{id} adds: where it was reused, until when it is valid, revocation. */
  async facts(doc: documents.DocumentRecord): Promise<Partial<Document>> {
    const [facts, used, catalog] = await Promise.all([
      reuses.archiveFacts(this.ctx.db, doc.id),
      reuses.reusesOf(this.ctx.db, doc.id),
      this.ctx.knowledge.catalog(),
    ]);
    // A copy is as valid as the paper it links to.
    const ruling = facts?.reusedFrom ? await reuses.archiveFacts(this.ctx.db, facts.reusedFrom) : facts;
    const v = validityOf(
      { status: doc.status, fields: doc.fields, revokedAt: ruling?.revocation?.at ?? null, supersededBy: ruling?.revocation?.supersededBy ?? null },
      catalog.types.find((t) => t.slug === doc.docType),
      vietnamDay(),
    );
    return {
      reusedIn: used.map((e) => ({ dossierCode: e.dossierCode, unitCode: e.reusingUnitCode, at: e.at, reuseId: e.id })),
      reusedFrom: facts?.reusedFrom ?? null,
      validUntil: v.validUntil,
      revoked: Boolean(ruling?.revocation),
      revocation: ruling?.revocation ?? null,
      reusable: v.reusable,
      notReusableReason: v.notReusableReason,
    };
  }
}
