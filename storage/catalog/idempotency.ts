// Idempotency keys. A row exists only for a request that committed: it is written in the same
// transaction as the dossier it answers, with the request's fingerprint. While a request runs, its
// key is held by a session-level advisory lock on the connection doing the work, which PostgreSQL
// releases the moment that connection (or its process) dies: a retry after a crash never waits out a
// lease and never does the work twice.
import type { Pool, PoolClient } from '../db.js';

type Db = Pool | PoolClient;

export interface IdempotencyRecord {
  fingerprint: string | null;
  statusCode: number;
  response: unknown;
}

const lockName = (owner: string, key: string) => `idempotency\n${owner}\n${key}`;

/** Takes the key's lock on this connection; false when another live request holds it. */
export async function lockKey(client: PoolClient, owner: string, key: string): Promise<boolean> {
  const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS ok', [lockName(owner, key)]);
  return rows[0]?.ok === true;
}

export async function unlockKey(client: PoolClient, owner: string, key: string): Promise<void> {
  await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [lockName(owner, key)]);
}

/** The committed answer to a key, if any, younger than the keys' lifetime. */
export async function findAnswer(db: Db, owner: string, key: string, ttlHours: number): Promise<IdempotencyRecord | null> {
  const { rows } = await db.query<{ fingerprint: string | null; status_code: number; response: unknown }>(
    `SELECT fingerprint, status_code, response FROM idempotency_keys
     WHERE owner = $1 AND key = $2 AND status_code IS NOT NULL AND created_at > now() - make_interval(hours => $3)`,
    [owner, key, ttlHours],
  );
  const r = rows[0];
  return r ? { fingerprint: r.fingerprint, statusCode: r.status_code, response: r.response } : null;
}

/** Records the answer; call inside the transaction that commits the work it answers. */
export async function saveAnswer(db: Db, owner: string, key: string, fingerprint: string, statusCode: number, response: unknown): Promise<void> {
  // An expired row with the same key (not yet pruned) gives way to the new request.
  await db.query(
    `INSERT INTO idempotency_keys (owner, key, fingerprint, status_code, response) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (owner, key) DO UPDATE SET fingerprint = $3, status_code = $4, response = $5, created_at = now()`,
    [owner, key, fingerprint, statusCode, JSON.stringify(response)],
  );
}

/** Replaces the stored answer with the one actually sent (document statuses after queueing). */
export async function updateAnswer(db: Db, owner: string, key: string, response: unknown): Promise<void> {
  await db.query('UPDATE idempotency_keys SET response = $3 WHERE owner = $1 AND key = $2', [owner, key, JSON.stringify(response)]);
}

export async function pruneIdempotencyKeys(db: Db, ttlHours: number): Promise<number> {
  const res = await db.query('DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(hours => $1)', [ttlHours]);
  return res.rowCount ?? 0;
}
