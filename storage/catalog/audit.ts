// Audit log: who did what to which object, append-only.
import type { Pool, PoolClient } from '../db.js';
import type { AuditEntry, AuditQuery } from '../../schemas/api.js';

export interface AuditEvent {
  actor: string;
  actorRole?: string | null;
  action: string;
  targetType?: string | null;
  targetId?: string | null;
  unitCode?: string | null;
  detail?: unknown;
}

export async function recordAudit(db: Pool | PoolClient, e: AuditEvent): Promise<void> {
  await db.query(
    `INSERT INTO audit_log (actor, actor_role, action, target_type, target_id, unit_code, detail)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [e.actor, e.actorRole ?? null, e.action, e.targetType ?? null, e.targetId ?? null, e.unitCode ?? null,
      e.detail === undefined ? null : JSON.stringify(e.detail)],
  );
}

interface AuditRow {
  id: number;
  at: Date;
  actor: string;
  actor_role: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  unit_code: string | null;
  detail: unknown;
}

/** Entries matching the query, newest first; `units` (null: all) keeps only entries about those units. */
export async function queryAudit(db: Pool, q: AuditQuery, units: string[] | null = null): Promise<AuditEntry[]> {
  const where: string[] = [];
  const args: unknown[] = [];
  const add = (sql: string, v: unknown) => {
    args.push(v);
    where.push(sql.replace('?', `$${args.length}`));
  };
  if (q.actor) add('actor = ?', q.actor);
  if (q.action) add('action = ?', q.action);
  if (q.from) add('at >= ?', q.from);
  if (q.to) add('at < ?', q.to);
  if (units) add('unit_code = ANY(?::text[])', units);
  args.push(q.limit ?? 100);
  const { rows } = await db.query<AuditRow>(
    `SELECT id, at, actor, actor_role, action, target_type, target_id, unit_code, detail FROM audit_log
     ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT $${args.length}`,
    args,
  );
  return rows.map((r) => ({
    id: r.id,
    at: r.at.toISOString(),
    actor: r.actor,
    actorRole: r.actor_role,
    action: r.action,
    targetType: r.target_type,
    targetId: r.target_id,
    unitCode: r.unit_code,
    detail: r.detail,
  }));
}
