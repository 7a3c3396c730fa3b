// Reuse events (migration 003), the copies they link into dossiers, and revocation (migration 005).
import type { Pool, PoolClient } from '../db.js';

type Db = Pool | PoolClient;

export interface ReuseEvent {
  id: string;
  dossierCode: string;
  documentId: string;
  copyId: string | null;
  reusingUnitCode: string;
  issuingUnitCode: string;
  at: string;
}

interface EventRow {
  id: string;
  dossier_code: string;
  document_id: string;
  copy_id: string | null;
  reusing_unit_code: string;
  issuing_unit_code: string;
  at: Date;
}

const toEvent = (r: EventRow): ReuseEvent => ({
  id: r.id,
  dossierCode: r.dossier_code,
  documentId: r.document_id,
  copyId: r.copy_id,
  reusingUnitCode: r.reusing_unit_code,
  issuingUnitCode: r.issuing_unit_code,
  at: r.at.toISOString(),
});

export async function findReuse(db: Db, dossierCode: string, documentId: string): Promise<ReuseEvent | null> {
  const { rows } = await db.query<EventRow>('SELECT * FROM reuse_events WHERE dossier_code = $1 AND document_id = $2', [dossierCode, documentId]);
  return rows[0] ? toEvent(rows[0]) : null;
}

/** Where a paper was reused, oldest first. */
export async function reusesOf(db: Db, documentId: string): Promise<ReuseEvent[]> {
  const { rows } = await db.query<EventRow>('SELECT * FROM reuse_events WHERE document_id = $1 ORDER BY at, id', [documentId]);
  return rows.map(toEvent);
}

export interface NewReuse {
  id: string;
  copyId: string;
  dossierCode: string;
  documentId: string;
  componentCode: string | null;
  reusingUnitCode: string;
  issuingUnitCode: string;
  actor: string;
  actorRole: string;
  reason: string | null;
}

/**
 * Links the source paper into the dossier: a documents row (component, done, the reusing unit's) that
 * shares the source's stored objects and reading, and the reuse event. Returns null when the same
 * reuse was recorded meanwhile (the unique (dossier, document) pair): nothing is written twice.
 */
export async function insertReuse(tx: PoolClient, r: NewReuse): Promise<ReuseEvent | null> {
  const { rows } = await tx.query<EventRow>(
    `INSERT INTO reuse_events (id, dossier_code, document_id, component_code, reusing_unit_code, issuing_unit_code, actor, actor_role, reason)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (dossier_code, document_id) DO NOTHING RETURNING *`,
    [r.id, r.dossierCode, r.documentId, r.componentCode, r.reusingUnitCode, r.issuingUnitCode, r.actor, r.actorRole, r.reason],
  );
  if (!rows[0]) return null;
  await tx.query(
    `INSERT INTO documents (id, dossier_code, seq, role, file_name, media_type, size, sha256, unit_code, original_key, status,
       pages, doc_type, doc_type_confidence, fields, field_checks, ocr_text, ocr_confidence, ocr_key, pdf_key, pdf_sha256,
       signed_key, signed_sha256, signed_size, signer, signed_at, done_at, reused_from, created_by)
     SELECT $1, $2, (SELECT COALESCE(MAX(seq), 0) + 1 FROM documents WHERE dossier_code = $2), 'component', s.file_name,
       s.media_type, s.size, s.sha256, $3, s.original_key, 'done', s.pages, s.doc_type, s.doc_type_confidence, s.fields,
       s.field_checks, s.ocr_text, s.ocr_confidence, s.ocr_key, s.pdf_key, s.pdf_sha256, s.signed_key, s.signed_sha256,
       s.signed_size, s.signer, s.signed_at, now(), s.id, $5
     FROM documents s WHERE s.id = $4`,
    [r.copyId, r.dossierCode, r.reusingUnitCode, r.documentId, r.actor],
  );
  const { rows: linked } = await tx.query<EventRow>('UPDATE reuse_events SET copy_id = $2 WHERE id = $1 RETURNING *', [r.id, r.copyId]);
  return linked[0] ? toEvent(linked[0]) : null;
}

export interface Revocation {
  at: string;
  by: string;
  reason: string;
  supersededBy: string | null;
}

export async function revoke(db: Db, id: string, by: string, reason: string, supersededBy: string | null): Promise<Revocation | null> {
  const { rows } = await db.query<{ revoked_at: Date; revoked_by: string; revoke_reason: string; superseded_by: string | null }>(
    `UPDATE documents SET revoked_at = now(), revoked_by = $2, revoke_reason = $3, superseded_by = $4, updated_at = now()
     WHERE id = $1 AND revoked_at IS NULL RETURNING revoked_at, revoked_by, revoke_reason, superseded_by`,
    [id, by, reason, supersededBy],
  );
  const r = rows[0];
  return r ? { at: r.revoked_at.toISOString(), by: r.revoked_by, reason: r.revoke_reason, supersededBy: r.superseded_by } : null;
}

export interface ArchiveFacts {
  revocation: Revocation | null;
  reusedFrom: string | null;
}

/** For the papers of one dossier: which are reused copies, and of what (one query). */
export async function reusedFromOf(db: Db, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const { rows } = await db.query<{ id: string; reused_from: string }>('SELECT id, reused_from FROM documents WHERE id = ANY($1::uuid[]) AND reused_from IS NOT NULL', [ids]);
  return new Map(rows.map((r) => [r.id, r.reused_from]));
}

export async function archiveFacts(db: Db, id: string): Promise<ArchiveFacts | null> {
  const { rows } = await db.query<{ revoked_at: Date | null; revoked_by: string | null; revoke_reason: string | null; superseded_by: string | null; reused_from: string | null }>(
    'SELECT revoked_at, revoked_by, revoke_reason, superseded_by, reused_from FROM documents WHERE id = $1',
    [id],
  );
  const r = rows[0];
  if (!r) return null;
  return {
    revocation: r.revoked_at ? { at: r.revoked_at.toISOString(), by: r.revoked_by ?? '', reason: r.revoke_reason ?? '', supersededBy: r.superseded_by } : null,
    reusedFrom: r.reused_from,
  };
}
