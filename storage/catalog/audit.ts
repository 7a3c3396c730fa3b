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
  /** The person the action was about (a search by id, a look-up, a reuse): kept for "who looked at whom". */
  personId?: string | null;
  /** The document the action was about, when there is one. */
  documentId?: string | null;
  detail?: unknown;
}

export async function recordAudit(db: Pool | PoolClient, e: AuditEvent): Promise<void> {
  await db.query(
    `INSERT INTO audit_log (actor, actor_role, action, target_type, target_id, unit_code, detail, person_id, document_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [e.actor, e.actorRole ?? null, e.action, e.targetType ?? null, e.targetId ?? null, e.unitCode ?? null,
      e.detail === undefined ? null : JSON.stringify(e.detail), e.personId ?? null,
      e.documentId ?? (e.targetType === 'document' ? e.targetId ?? null : null)],
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
  person_id: string | null;
  document_id: string | null;
  detail: unknown;
}

/**
 * Entries matching the query, newest first; `units` (null: all) keeps only entries about those units.
 * `q.cursor` is the id of the last entry of the previous page. Person ids come back whole: the
 * caller masks them.
 */
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
  if (q.documentId) add('document_id = ?::uuid', q.documentId);
  if (q.personId) add('person_id = ?', q.personId);
  if (q.cursor) add('id < ?::bigint', q.cursor);
  if (units) add('unit_code = ANY(?::text[])', units);
  args.push(q.limit ?? 100);
  const { rows } = await db.query<AuditRow>(
    `SELECT id, at, actor, actor_role, action, target_type, target_id, unit_code, person_id, document_id, detail FROM audit_log
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
    documentId: r.document_id,
    personId: r.person_id,
    detail: r.detail,
  }));
}
