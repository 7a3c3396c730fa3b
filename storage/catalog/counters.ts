// Generic atomic counters (code serials); a value is never handed out twice.
import type { Pool, PoolClient } from '../db.js';

export async function nextCounter(db: Pool | PoolClient, scope: string): Promise<number> {
  const { rows } = await db.query<{ last: number }>(
    `INSERT INTO counters (scope, last) VALUES ($1, 1)
     ON CONFLICT (scope) DO UPDATE SET last = counters.last + 1 RETURNING last`,
    [scope],
  );
  return rows[0]!.last;
}
