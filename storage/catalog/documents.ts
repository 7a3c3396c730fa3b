// Documents: one uploaded file of a dossier, and its way through the pipeline.
import type { Pool, PoolClient } from '../db.js';
import type { Document, DocumentRole, DocumentStatus } from '../../schemas/api.js';

type Db = Pool | PoolClient;

export interface NewDocument {
  id: string;
  dossierCode: string;
  role: DocumentRole;
  fileName: string;
  mediaType: string;
  size: number;
  sha256: string;
  unitCode: string;
  originalKey: string;
  pages: number | null;
  createdBy: string;
}

export interface DocumentRecord extends Document {
  unitCode: string;
  originalKey: string;
  attempts: number;
  ocrKey: string | null;
  pdfKey: string | null;
  signedKey: string | null;
}

interface DocumentRow {
  id: string;
  dossier_code: string;
  role: DocumentRole;
  file_name: string;
  media_type: string;
  size: number;
  sha256: string;
  unit_code: string;
  original_key: string;
  duplicate_of: string | null;
  status: DocumentStatus;
  error_code: string | null;
  error_message: string | null;
  attempts: number;
  pages: number | null;
  doc_type: string | null;
  doc_type_confidence: number | null;
  fields: Record<string, string> | null;
  field_checks: Record<string, unknown> | null;
  code: string | null;
  code_scheme: string | null;
  ocr_text: string | null;
  ocr_confidence: number | null;
  ocr_key: string | null;
  pdf_key: string | null;
  signed_key: string | null;
  signer: string | null;
  signed_at: Date | null;
  received_at: Date;
  queued_at: Date | null;
  processing_at: Date | null;
  ocr_done_at: Date | null;
  coded_at: Date | null;
  review_at: Date | null;
  done_at: Date | null;
  failed_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function toRecord(r: DocumentRow): DocumentRecord {
  return {
    id: r.id,
    dossierCode: r.dossier_code,
    role: r.role,
    fileName: r.file_name,
    status: r.status,
    error: r.error_code ? { code: r.error_code, message: r.error_message ?? '' } : null,
    pages: r.pages,
    sha256: r.sha256,
    size: r.size,
    mediaType: r.media_type,
    duplicateOf: r.duplicate_of,
    docType: r.doc_type,
    docTypeConfidence: r.doc_type_confidence,
    fields: r.fields,
    fieldChecks: r.field_checks,
    code: r.code,
    codeScheme: r.code_scheme,
    text: r.ocr_text,
    ocrConfidence: r.ocr_confidence,
    signer: r.signer,
    signedAt: iso(r.signed_at),
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
    timestamps: {
      received: iso(r.received_at),
      queued: iso(r.queued_at),
      processing: iso(r.processing_at),
      ocr_done: iso(r.ocr_done_at),
      coded: iso(r.coded_at),
      review: iso(r.review_at),
      done: iso(r.done_at),
      failed: iso(r.failed_at),
    },
    unitCode: r.unit_code,
    originalKey: r.original_key,
    attempts: r.attempts,
    ocrKey: r.ocr_key,
    pdfKey: r.pdf_key,
    signedKey: r.signed_key,
  };
}

/** The earliest document of the unit with the same bytes, if any. */
export async function findDuplicate(db: Db, unitCode: string, sha256: string): Promise<string | null> {
  const { rows } = await db.query<{ id: string }>(
    `SELECT id FROM documents WHERE unit_code = $1 AND sha256 = $2 ORDER BY created_at, seq LIMIT 1`,
    [unitCode, sha256],
  );
  return rows[0]?.id ?? null;
}

/** Whether an earlier, committed document already put these bytes under this key. */
export async function originalStored(db: Db, unitCode: string, sha256: string, key: string): Promise<boolean> {
  const { rowCount } = await db.query(
    'SELECT 1 FROM documents WHERE unit_code = $1 AND sha256 = $2 AND original_key = $3 LIMIT 1',
    [unitCode, sha256, key],
  );
  return (rowCount ?? 0) > 0;
}

export async function insertDocument(db: Db, d: NewDocument, duplicateOf: string | null): Promise<void> {
  await db.query(
    `INSERT INTO documents (id, dossier_code, seq, role, file_name, media_type, size, sha256, unit_code,
       original_key, duplicate_of, status, pages, created_by)
     VALUES ($1, $2, (SELECT COALESCE(MAX(seq), 0) + 1 FROM documents WHERE dossier_code = $2),
       $3, $4, $5, $6, $7, $8, $9, $10, 'received', $11, $12)`,
    [d.id, d.dossierCode, d.role, d.fileName, d.mediaType, d.size, d.sha256, d.unitCode, d.originalKey,
      duplicateOf, d.pages, d.createdBy],
  );
}

export async function getDocument(db: Db, id: string): Promise<DocumentRecord | null> {
  const { rows } = await db.query<DocumentRow>('SELECT * FROM documents WHERE id = $1', [id]);
  return rows[0] ? toRecord(rows[0]) : null;
}

export async function listDossierDocuments(db: Db, dossierCode: string): Promise<DocumentRecord[]> {
  const { rows } = await db.query<DocumentRow>('SELECT * FROM documents WHERE dossier_code = $1 ORDER BY seq', [
    dossierCode,
  ]);
  return rows.map(toRecord);
}

const STATUS_TIMESTAMP: Record<DocumentStatus, string> = {
  received: 'received_at',
  queued: 'queued_at',
  processing: 'processing_at',
  ocr_done: 'ocr_done_at',
  coded: 'coded_at',
  review: 'review_at',
  done: 'done_at',
  failed: 'failed_at',
};

/**
 * Moves documents to a status, only from the allowed previous ones, so a late or repeated step can never
 * move a document backwards. Returns the ids that moved.
 */
export async function transition(
  db: Db,
  ids: string[],
  to: DocumentStatus,
  from: DocumentStatus[],
  extra: { attempts?: number } = {},
): Promise<string[]> {
  if (ids.length === 0) return [];
  const col = STATUS_TIMESTAMP[to];
  const { rows } = await db.query<{ id: string }>(
    `UPDATE documents SET status = $2, ${col} = now(), updated_at = now(), error_code = NULL, error_message = NULL,
       attempts = COALESCE($4, attempts)
     WHERE id = ANY($1::uuid[]) AND status = ANY($3::text[]) RETURNING id`,
    [ids, to, from, extra.attempts ?? null],
  );
  return rows.map((r) => r.id);
}

/** Records an attempt's error without giving up: the job will be retried. */
export async function recordAttemptError(db: Db, id: string, code: string, message: string, attempts: number): Promise<void> {
  await db.query(
    `UPDATE documents SET error_code = $2, error_message = $3, attempts = $4, updated_at = now() WHERE id = $1`,
    [id, code, message, attempts],
  );
}

export async function markFailed(db: Db, id: string, code: string, message: string, attempts: number): Promise<void> {
  await db.query(
    `UPDATE documents SET status = 'failed', failed_at = now(), updated_at = now(), error_code = $2,
       error_message = $3, attempts = $4 WHERE id = $1 AND status NOT IN ('done', 'failed')`,
    [id, code, message, attempts],
  );
}

export async function setPages(db: Db, id: string, pages: number): Promise<void> {
  await db.query('UPDATE documents SET pages = $2, updated_at = now() WHERE id = $1', [id, pages]);
}

export async function addDuration(db: Db, id: string, stage: string, ms: number): Promise<void> {
  await db.query(
    `UPDATE documents SET durations = durations || jsonb_build_object($2::text, $3::numeric) WHERE id = $1`,
    [id, stage, Math.round(ms)],
  );
}

/** Documents accepted but never handed to the queue (a crash between commit and enqueue). */
export async function listUnqueued(db: Db, olderThanSeconds: number, limit = 500): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `SELECT id FROM documents WHERE status = 'received' AND created_at < now() - make_interval(secs => $1)
     ORDER BY created_at LIMIT $2`,
    [olderThanSeconds, limit],
  );
  return rows.map((r) => r.id);
}
