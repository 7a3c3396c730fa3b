// API keys: only a SHA-256 of the secret is stored (secrets are 256 random bits, so a fast hash is
// enough; there is nothing to brute-force).
import type { Pool } from '../db.js';
import type { Role } from '../../schemas/api.js';

export interface ApiKeyRecord {
  id: string;
  role: Role;
  unitCode: string | null;
  includeDescendants: boolean;
  revokedAt: string | null;
}

interface KeyRow {
  id: string;
  role: Role;
  unit_code: string | null;
  include_descendants: boolean;
  revoked_at: Date | null;
}

const toRecord = (r: KeyRow): ApiKeyRecord => ({
  id: r.id,
  role: r.role,
  unitCode: r.unit_code,
  includeDescendants: r.include_descendants,
  revokedAt: r.revoked_at ? r.revoked_at.toISOString() : null,
});

export async function insertKey(
  db: Pool,
  k: { id: string; hash: Buffer; prefix: string; role: Role; unitCode: string | null; includeDescendants: boolean; label: string | null; createdBy: string },
): Promise<void> {
  await db.query(
    `INSERT INTO api_keys (id, key_hash, prefix, role, unit_code, include_descendants, label, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [k.id, k.hash, k.prefix, k.role, k.unitCode, k.includeDescendants, k.label, k.createdBy],
  );
}

export async function findKeyByHash(db: Pool, hash: Buffer): Promise<ApiKeyRecord | null> {
  const { rows } = await db.query<KeyRow & { stale: boolean }>(
    `SELECT id, role, unit_code, include_descendants, revoked_at,
       (last_used_at IS NULL OR last_used_at < now() - interval '1 minute') AS stale
     FROM api_keys WHERE key_hash = $1`,
    [hash],
  );
  const row = rows[0];
  if (!row) return null;
  // A desk's key serves many requests at once: writing last_used_at on each would serialize them on
  // one row lock, so it is refreshed at most once a minute, off the request's path.
  if (row.stale) {
    db.query('UPDATE api_keys SET last_used_at = now() WHERE id = $1', [row.id]).catch(() => undefined);
  }
  return toRecord(row);
}

export async function revokeKey(db: Pool, id: string): Promise<ApiKeyRecord | null> {
  const { rows } = await db.query<KeyRow>(
    `UPDATE api_keys SET revoked_at = COALESCE(revoked_at, now()) WHERE id = $1
     RETURNING id, role, unit_code, include_descendants, revoked_at`,
    [id],
  );
  return rows[0] ? toRecord(rows[0]) : null;
}

export async function getKey(db: Pool, id: string): Promise<ApiKeyRecord | null> {
  const { rows } = await db.query<KeyRow>('SELECT id, role, unit_code, include_descendants, revoked_at FROM api_keys WHERE id = $1', [id]);
  return rows[0] ? toRecord(rows[0]) : null;
}
