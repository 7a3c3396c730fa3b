// Idempotency keys: a request claims its key before doing anything; a retry of a finished request gets
// the stored answer; a retry while the first is still running is told so. A claim left by a crashed
// process expires after the lease, so the client's next retry can proceed.
import type { Pool } from '../db.js';

export type Claim =
  | { state: 'claimed' }
  | { state: 'done'; statusCode: number; response: unknown }
  | { state: 'in-progress' };

export async function claimIdempotencyKey(db: Pool, owner: string, key: string, leaseSeconds: number): Promise<Claim> {
  const inserted = await db.query(
    `INSERT INTO idempotency_keys (owner, key) VALUES ($1, $2)
     ON CONFLICT (owner, key) DO UPDATE SET created_at = now()
       WHERE idempotency_keys.response IS NULL AND idempotency_keys.created_at < now() - make_interval(secs => $3)
     RETURNING owner`,
    [owner, key, leaseSeconds],
  );
  if (inserted.rowCount === 1) return { state: 'claimed' };
  const { rows } = await db.query<{ status_code: number | null; response: unknown }>(
    'SELECT status_code, response FROM idempotency_keys WHERE owner = $1 AND key = $2',
    [owner, key],
  );
  const row = rows[0];
  if (row && row.status_code !== null) return { state: 'done', statusCode: row.status_code, response: row.response };
  return { state: 'in-progress' };
}

export async function completeIdempotencyKey(
  db: Pool,
  owner: string,
  key: string,
  statusCode: number,
  response: unknown,
): Promise<void> {
  await db.query('UPDATE idempotency_keys SET status_code = $3, response = $4 WHERE owner = $1 AND key = $2', [
    owner,
    key,
    statusCode,
    JSON.stringify(response),
  ]);
}

/** A request that failed stores nothing, so its key is released for the retry. */
export async function releaseIdempotencyKey(db: Pool, owner: string, key: string): Promise<void> {
  await db.query('DELETE FROM idempotency_keys WHERE owner = $1 AND key = $2 AND response IS NULL', [owner, key]);
}
