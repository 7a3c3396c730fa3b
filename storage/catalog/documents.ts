// Documents: one uploaded file of a dossier, and its way through the pipeline.
import type { Pool, PoolClient } from '../db.js';
import type { Document, DocumentRole, DocumentStatus, ReviewRecord } from '../../schemas/api.js';

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
  seq: number;
  reviewReasons: string[] | null;
  pdfSha256: string | null;
  unitCode: string;
  originalKey: string;
  attempts: number;
  ocrKey: string | null;
  pdfKey: string | null;
  signedKey: string | null;
}

interface DocumentRow {
  id: string;
  seq: number;
  review_reasons: string[] | null;
  pdf_sha256: string | null;
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
  review: ReviewRecord | null;
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
    review: r.review,
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
    seq: r.seq,
    reviewReasons: r.review_reasons,
    pdfSha256: r.pdf_sha256,
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

/**
 * A failed document goes back to the status its failed stage starts from, keeping its timestamps, with
 * its attempt count reset: a re-driven document gets its full retries.
 */
export async function resumeFailed(db: Db, id: string, status: DocumentStatus): Promise<boolean> {
  const res = await db.query(
    `UPDATE documents SET status = $2, error_code = NULL, error_message = NULL, attempts = 0, updated_at = now()
     WHERE id = $1 AND status = 'failed'`,
    [id, status],
  );
  return res.rowCount === 1;
}

export interface StaleDocument {
  id: string;
  status: DocumentStatus;
  updatedAt: string;
  stuckMs: number;
}

export interface StaleCursor {
  updatedAt: string;
  id: string;
}

/** Documents whose status calls for a stage and has not moved for `olderThanMs`, oldest first. */
export async function listStale(db: Db, olderThanMs: number, after: StaleCursor | null, limit: number): Promise<StaleDocument[]> {
  const { rows } = await db.query<{ id: string; status: DocumentStatus; updated_at: Date; stuck_ms: number }>(
    `SELECT id, status, updated_at, (extract(epoch FROM now() - updated_at) * 1000)::float8 AS stuck_ms FROM documents
     WHERE status IN ('received', 'queued', 'processing', 'ocr_done', 'coded')
       AND updated_at < now() - make_interval(secs => $1::float8 / 1000)
       AND ($2::timestamptz IS NULL OR (updated_at, id) > ($2::timestamptz, $3::uuid))
     ORDER BY updated_at, id LIMIT $4`,
    [olderThanMs, after?.updatedAt ?? null, after?.id ?? null, limit],
  );
  return rows.map((r) => ({ id: r.id, status: r.status, updatedAt: r.updated_at.toISOString(), stuckMs: r.stuck_ms }));
}

/** Ingest checked the bytes and counted the pages: the document is ready to be read. */
export async function finishIngest(db: Db, id: string, pages: number): Promise<boolean> {
  const res = await db.query(
    `UPDATE documents SET pages = $2, status = 'processing', processing_at = now(), updated_at = now(),
       error_code = NULL, error_message = NULL
     WHERE id = $1 AND status IN ('received', 'queued')`,
    [id, pages],
  );
  return res.rowCount === 1;
}

/** Records how long a stage took and returns the status the document is in now. */
export async function finishStage(db: Db, id: string, stage: string, ms: number): Promise<DocumentStatus | null> {
  const { rows } = await db.query<{ status: DocumentStatus }>(
    `UPDATE documents SET durations = durations || jsonb_build_object($2::text, $3::numeric) WHERE id = $1 RETURNING status`,
    [id, stage, Math.round(ms)],
  );
  return rows[0]?.status ?? null;
}

/** OCR results of a document; moves it to ocr_done. */
export async function saveOcr(
  db: Db,
  id: string,
  r: { text: string; confidence: number; pages: number; ocrKey: string; pdfKey: string; pdfSha256: string; lowConfidence: boolean },
): Promise<void> {
  await db.query(
    `UPDATE documents SET ocr_text = $2, ocr_confidence = $3, pages = $4, ocr_key = $5, pdf_key = $6, pdf_sha256 = $7,
       review_reasons = CASE WHEN $8 THEN '["ocr: low confidence"]'::jsonb ELSE NULL END,
       status = 'ocr_done', ocr_done_at = now(), updated_at = now(), error_code = NULL, error_message = NULL
     WHERE id = $1 AND status = 'processing'`,
    [id, r.text, r.confidence, r.pages, r.ocrKey, r.pdfKey, r.pdfSha256, r.lowConfidence],
  );
}

export interface Classified {
  docType: string;
  confidence: number;
  fields: Record<string, string>;
  fieldChecks: Record<string, unknown>;
}

/** The machine is unsure: the document waits in review, uncoded. */
export async function saveForReview(db: Db, id: string, c: Classified, reasons: string[]): Promise<boolean> {
  const res = await db.query(
    `UPDATE documents SET doc_type = $2, doc_type_confidence = $3, fields = $4, field_checks = $5, review_reasons = $6,
       status = 'review', review_at = now(), updated_at = now()
     WHERE id = $1 AND status = 'ocr_done'`,
    [id, c.docType, c.confidence, JSON.stringify(c.fields), JSON.stringify(c.fieldChecks), JSON.stringify(reasons)],
  );
  return res.rowCount === 1;
}

/** Type, fields and code read by the machine; moves the document from ocr_done to coded. */
export async function saveCoded(db: Db, id: string, c: Classified & { code: string; scheme: string }): Promise<boolean> {
  const res = await db.query(
    `UPDATE documents SET doc_type = $2, doc_type_confidence = $3, fields = $4, field_checks = $5, code = $6,
       code_scheme = $7, status = 'coded', coded_at = now(), updated_at = now()
     WHERE id = $1 AND status = 'ocr_done'`,
    [id, c.docType, c.confidence, JSON.stringify(c.fields), JSON.stringify(c.fieldChecks), c.code, c.scheme],
  );
  return res.rowCount === 1;
}

/** A person confirmed or corrected the reading: review → coded, reasons resolved, the review kept. */
export async function saveReviewed(
  db: Db,
  id: string,
  c: Classified & { code: string; scheme: string; reviewedBy: string; review: ReviewRecord },
): Promise<boolean> {
  const res = await db.query(
    `UPDATE documents SET doc_type = $2, doc_type_confidence = $3, fields = $4, field_checks = $5, code = $6,
       code_scheme = $7, reviewed_by = $8, reviewed_at = now(), review = $9, review_reasons = NULL,
       status = 'coded', coded_at = now(), updated_at = now()
     WHERE id = $1 AND status = 'review'`,
    [id, c.docType, c.confidence, JSON.stringify(c.fields), JSON.stringify(c.fieldChecks), c.code, c.scheme, c.reviewedBy, JSON.stringify(c.review)],
  );
  return res.rowCount === 1;
}

export async function setPdf(db: Db, id: string, pdfSha256: string): Promise<void> {
  await db.query('UPDATE documents SET pdf_sha256 = $2, updated_at = now() WHERE id = $1', [id, pdfSha256]);
}

export async function saveSigned(
  db: Db,
  id: string,
  s: { key: string; sha256: string; size: number; signer: string; signedAt: Date },
): Promise<void> {
  await db.query(
    `UPDATE documents SET signed_key = $2, signed_sha256 = $3, signed_size = $4, signer = $5, signed_at = $6,
       status = 'done', done_at = now(), updated_at = now()
     WHERE id = $1 AND status = 'coded'`,
    [id, s.key, s.sha256, s.size, s.signer, s.signedAt],
  );
}

/** The review queue of some units (null: all), oldest first. */
export async function listReview(db: Db, units: string[] | null, limit: number): Promise<DocumentRecord[]> {
  const { rows } = await db.query<DocumentRow>(
    `SELECT * FROM documents WHERE status = 'review' AND ($1::text[] IS NULL OR unit_code = ANY($1::text[]))
     ORDER BY review_at, id LIMIT $2`,
    [units, limit],
  );
  return rows.map(toRecord);
}

/** Documents per status, and how long the longest-waiting in-flight document has not moved. */
export async function documentStats(db: Db): Promise<{ byStatus: Record<string, number>; oldestInFlightSeconds: number }> {
  const { rows } = await db.query<{ status: string; n: number; oldest: number | null }>(
    `SELECT status, count(*)::int AS n,
       CASE WHEN status IN ('received', 'queued', 'processing', 'ocr_done', 'coded')
         THEN extract(epoch FROM now() - min(updated_at))::float8 END AS oldest
     FROM documents GROUP BY status`,
  );
  const byStatus: Record<string, number> = {};
  let oldest = 0;
  for (const r of rows) {
    byStatus[r.status] = r.n;
    if (r.oldest !== null) oldest = Math.max(oldest, r.oldest);
  }
  return { byStatus, oldestInFlightSeconds: Math.round(oldest) };
}
