// Catalog reads for the integrity check (services/integrity.ts): documents page by page, whether a
// stored object's key belongs to a row, and the counters codes were drawn from.
import type { Pool, PoolClient } from '../db.js';
import type { DocumentStatus } from '../../schemas/api.js';

type Db = Pool | PoolClient;

export interface CheckedDocument {
  id: string;
  status: DocumentStatus;
  unitCode: string;
  dossierCode: string;
  originalKey: string;
  sha256: string;
  size: number;
  ocrKey: string | null;
  pdfKey: string | null;
  signedKey: string | null;
  signedSha256: string | null;
  code: string | null;
  codeScheme: string | null;
  reusedFrom: string | null;
}

export async function documentsPage(db: Db, afterId: string | null, limit: number): Promise<CheckedDocument[]> {
  const { rows } = await db.query<{
    id: string; status: DocumentStatus; unit_code: string; dossier_code: string; original_key: string; sha256: string; size: number;
    ocr_key: string | null; pdf_key: string | null; signed_key: string | null; signed_sha256: string | null; code: string | null;
    code_scheme: string | null; reused_from: string | null;
  }>(
    `SELECT id, status, unit_code, dossier_code, original_key, sha256, size, ocr_key, pdf_key, signed_key, signed_sha256, code,
       code_scheme, reused_from
     FROM documents WHERE ($1::uuid IS NULL OR id > $1::uuid) ORDER BY id LIMIT $2`,
    [afterId, limit],
  );
  return rows.map((r) => ({
    id: r.id, status: r.status, unitCode: r.unit_code, dossierCode: r.dossier_code, originalKey: r.original_key, sha256: r.sha256, size: r.size,
    ocrKey: r.ocr_key, pdfKey: r.pdf_key, signedKey: r.signed_key, signedSha256: r.signed_sha256, code: r.code, codeScheme: r.code_scheme,
    reusedFrom: r.reused_from,
  }));
}

/** Which of these original keys (<unit>/<year>/<sha256>) no document row names. */
export async function unknownOriginals(db: Db, keys: string[]): Promise<string[]> {
  const { rows } = await db.query<{ k: string }>(
    `SELECT k FROM unnest($1::text[]) AS k
     WHERE NOT EXISTS (SELECT 1 FROM documents d WHERE d.unit_code = split_part(k, '/', 1)
       AND d.sha256 = split_part(k, '/', 3) AND d.original_key = k)`,
    [keys],
  );
  return rows.map((r) => r.k);
}

/** Which of these result keys (ocr/…, pdf/…, signed/…) no document row names. */
export async function unknownResults(db: Db, keys: string[]): Promise<string[]> {
  const { rows } = await db.query<{ k: string }>(
    `SELECT k FROM unnest($1::text[]) AS k
     WHERE NOT EXISTS (SELECT 1 FROM documents d WHERE d.ocr_key = k OR d.pdf_key = k OR d.signed_key = k)`,
    [keys],
  );
  return rows.map((r) => r.k);
}

/** Counter rows whose last value is below a code already handed out under them. */
export async function countersBehind(db: Db): Promise<{ scope: string; last: number; used: number }[]> {
  const { rows } = await db.query<{ scope: string; last: number; used: number }>(
    `WITH used AS (
       SELECT code_scheme || ':result:' || dossier_code AS scope, max(substring(code FROM '-KQ([0-9]+)$')::int) AS used
       FROM documents WHERE code ~ '-KQ[0-9]+$' GROUP BY 1
     )
     SELECT u.scope, COALESCE(c.last, 0) AS last, u.used FROM used u LEFT JOIN counters c ON c.scope = u.scope
     WHERE COALESCE(c.last, 0) < u.used`,
  );
  return rows;
}

export async function raiseCounter(db: Db, scope: string, atLeast: number): Promise<void> {
  await db.query(
    `INSERT INTO counters (scope, last) VALUES ($1, $2) ON CONFLICT (scope) DO UPDATE SET last = greatest(counters.last, $2)`,
    [scope, atLeast],
  );
}

/** A done document whose signed copy is lost or damaged goes back to be signed again (same code). */
export async function reopenForSigning(db: Db, id: string): Promise<boolean> {
  const res = await db.query(
    `UPDATE documents SET status = 'coded', updated_at = now(), signed_key = NULL, signed_sha256 = NULL, signed_size = NULL
     WHERE id = $1 AND status = 'done' AND pdf_key IS NOT NULL AND code IS NOT NULL`,
    [id],
  );
  return res.rowCount === 1;
}
