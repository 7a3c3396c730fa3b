// Progress figures: sums of the trigger-kept summaries (storage/migrations/006_progress.sql), the same
// sums counted afresh from dossiers, documents and reuse events (for `asOf` in the past, and to prove
// the summaries right), the backlog stock and the units' backlog estimates.
import type { Pool, PoolClient } from '../db.js';
import type { Channel } from '../../schemas/api.js';

type Db = Pool | PoolClient;

/** Dossier counts of one unit and channel over a period. */
export interface ChannelCounts {
  unitCode: string;
  channel: Channel;
  received: number;
  digitized: number;
  withReuse: number;
  resultsIssued: number;
  resultsDigitized: number;
}

interface CountRow {
  unit_code: string;
  channel: Channel;
  received: string;
  digitized: string;
  with_reuse: string;
  results_issued: string;
  results_digitized: string;
}

const toCounts = (r: CountRow): ChannelCounts => ({
  unitCode: r.unit_code,
  channel: r.channel,
  received: Number(r.received),
  digitized: Number(r.digitized),
  withReuse: Number(r.with_reuse),
  resultsIssued: Number(r.results_issued),
  resultsDigitized: Number(r.results_digitized),
});

/**
 * From the summaries: grain 'd' sums days firstDay..lastDay, grain 'm' the months starting in that
 * range. `units` null: every unit.
 */
export async function summaryCounts(db: Db, grain: 'd' | 'm', firstDay: string, lastDay: string, units: string[] | null): Promise<ChannelCounts[]> {
  const { rows } = await db.query<CountRow>(
    `SELECT unit_code, channel, sum(received) AS received, sum(digitized) AS digitized, sum(with_reuse) AS with_reuse,
            sum(results_issued) AS results_issued, sum(results_digitized) AS results_digitized
     FROM progress_summary
     WHERE grain = $1 AND period_start BETWEEN $2 AND $3 ${units ? 'AND unit_code = ANY($4)' : ''}
     GROUP BY unit_code, channel`,
    units ? [grain, firstDay, lastDay, units] : [grain, firstDay, lastDay],
  );
  return rows.map(toCounts);
}

/**
 * Per-dossier facts as they stood at `asOf`, counted from the catalog's rows: a dossier exists once
 * inserted, a document once inserted, is done from its done_at (done is final), a reuse from its event.
 */
const FACTS = (where: string) => `
  SELECT d.unit_code, d.channel, (d.received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS day,
         COALESCE(x.docs, 0) AS docs, COALESCE(x.docs_done, 0) AS docs_done,
         COALESCE(x.results, 0) AS results, COALESCE(x.results_done, 0) AS results_done,
         COALESCE(r.reuses, 0) AS reuses
  FROM dossiers d
  LEFT JOIN LATERAL (
    SELECT count(*) AS docs,
           count(*) FILTER (WHERE status = 'done' AND COALESCE(done_at, updated_at) <= $1) AS docs_done,
           count(*) FILTER (WHERE role = 'result') AS results,
           count(*) FILTER (WHERE role = 'result' AND status = 'done' AND COALESCE(done_at, updated_at) <= $1) AS results_done
    FROM documents WHERE dossier_code = d.code AND created_at <= $1) x ON true
  LEFT JOIN LATERAL (SELECT count(*) AS reuses FROM reuse_events WHERE dossier_code = d.code AND at <= $1) r ON true
  WHERE d.created_at <= $1 ${where}`;

const SUMS = `count(*) AS received,
  count(*) FILTER (WHERE docs > 0 AND docs_done = docs) AS digitized,
  count(*) FILTER (WHERE reuses > 0) AS with_reuse,
  count(*) FILTER (WHERE results > 0) AS results_issued,
  count(*) FILTER (WHERE results > 0 AND results_done = results) AS results_digitized`;

/** The same sums as summaryCounts, counted afresh as they stood at `asOf` (dossiers received in [from, to)). */
export async function countsAsOf(db: Db, from: Date, to: Date, asOf: Date, units: string[] | null): Promise<ChannelCounts[]> {
  const where = `AND d.received_at >= $2 AND d.received_at < $3 ${units ? 'AND d.unit_code = ANY($4)' : ''}`;
  const { rows } = await db.query<CountRow>(
    `SELECT unit_code, channel, ${SUMS} FROM (${FACTS(where)}) f GROUP BY unit_code, channel`,
    units ? [asOf, from, to, units] : [asOf, from, to],
  );
  return rows.map(toCounts);
}

export interface SummaryRow extends ChannelCounts {
  grain: 'd' | 'm';
  periodStart: string;
}

/** The whole summary table, as kept. */
export async function storedSummary(db: Db): Promise<SummaryRow[]> {
  const { rows } = await db.query<CountRow & { grain: 'd' | 'm'; period_start: string }>(
    `SELECT grain, to_char(period_start, 'YYYY-MM-DD') AS period_start, unit_code, channel, received, digitized, with_reuse,
            results_issued, results_digitized
     FROM progress_summary
     WHERE received <> 0 OR digitized <> 0 OR with_reuse <> 0 OR results_issued <> 0 OR results_digitized <> 0`,
  );
  return rows.map((r) => ({ grain: r.grain, periodStart: r.period_start, ...toCounts(r) }));
}

/** The summary table counted afresh from the catalog's rows, without the triggers' help. */
export async function recomputedSummary(db: Db): Promise<SummaryRow[]> {
  const { rows } = await db.query<CountRow & { grain: 'd' | 'm'; period_start: string }>(
    `WITH f AS (${FACTS('')})
     SELECT 'd' AS grain, to_char(day, 'YYYY-MM-DD') AS period_start, unit_code, channel, ${SUMS} FROM f GROUP BY day, unit_code, channel
     UNION ALL
     SELECT 'm', to_char(date_trunc('month', day), 'YYYY-MM-DD'), unit_code, channel, ${SUMS} FROM f
     GROUP BY date_trunc('month', day), unit_code, channel`,
    ['infinity'],
  );
  return rows.map((r) => ({ grain: r.grain, periodStart: r.period_start, ...toCounts(r) }));
}

/** Result documents done in backlog-channel dossiers, per unit (now, from the kept stock). */
export async function backlogDigitized(db: Db, units: string[] | null): Promise<Map<string, number>> {
  const { rows } = await db.query<{ unit_code: string; n: number }>(
    `SELECT unit_code, results_digitized AS n FROM progress_backlog ${units ? 'WHERE unit_code = ANY($1)' : ''}`,
    units ? [units] : [],
  );
  return new Map(rows.map((r) => [r.unit_code, r.n]));
}

/** The same stock as it stood at `asOf`, counted afresh. */
export async function backlogDigitizedAsOf(db: Db, asOf: Date, units: string[] | null): Promise<Map<string, number>> {
  const { rows } = await db.query<{ unit_code: string; n: string }>(
    `SELECT d.unit_code, count(*) AS n FROM dossiers d JOIN documents x ON x.dossier_code = d.code
     WHERE d.channel = 'backlog' AND x.role = 'result' AND x.status = 'done' AND x.created_at <= $1
       AND COALESCE(x.done_at, x.updated_at) <= $1 ${units ? 'AND d.unit_code = ANY($2)' : ''}
     GROUP BY d.unit_code`,
    units ? [asOf, units] : [asOf],
  );
  return new Map(rows.map((r) => [r.unit_code, Number(r.n)]));
}

export async function backlogEstimates(db: Db): Promise<Map<string, number>> {
  const { rows } = await db.query<{ unit_code: string; estimate: number }>('SELECT unit_code, estimate FROM unit_backlog_estimates');
  return new Map(rows.map((r) => [r.unit_code, r.estimate]));
}

export async function setBacklogEstimate(db: Db, unitCode: string, estimate: number | null, by: string): Promise<void> {
  if (estimate === null) {
    await db.query('DELETE FROM unit_backlog_estimates WHERE unit_code = $1', [unitCode]);
    return;
  }
  await db.query(
    `INSERT INTO unit_backlog_estimates (unit_code, estimate, set_by) VALUES ($1, $2, $3)
     ON CONFLICT (unit_code) DO UPDATE SET estimate = EXCLUDED.estimate, set_by = EXCLUDED.set_by, set_at = now()`,
    [unitCode, estimate, by],
  );
}

/**
 * Counts the kept tables afresh from the catalog, for a bulk load made with the triggers off (the
 * benchmark): one pass instead of a trigger per row. Takes the tables' locks for its transaction.
 */
export async function rebuildSummaries(db: PoolClient): Promise<void> {
  await db.query('LOCK TABLE dossiers, documents, reuse_events, progress_dossiers IN SHARE ROW EXCLUSIVE MODE');
  await db.query('ALTER TABLE progress_dossiers DISABLE TRIGGER progress_dossiers_sync');
  await db.query('TRUNCATE progress_dossiers, progress_summary, progress_backlog');
  await db.query(
    `INSERT INTO progress_dossiers (dossier_code, unit_code, day, channel, docs, docs_done, results, results_done, reuses)
     SELECT d.code, d.unit_code, (d.received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date, d.channel,
            COALESCE(x.docs, 0), COALESCE(x.docs_done, 0), COALESCE(x.results, 0), COALESCE(x.results_done, 0), COALESCE(r.reuses, 0)
     FROM dossiers d
     LEFT JOIN (SELECT dossier_code, count(*) AS docs, count(*) FILTER (WHERE status = 'done') AS docs_done,
                       count(*) FILTER (WHERE role = 'result') AS results,
                       count(*) FILTER (WHERE role = 'result' AND status = 'done') AS results_done
                FROM documents GROUP BY dossier_code) x ON x.dossier_code = d.code
     LEFT JOIN (SELECT dossier_code, count(*) AS reuses FROM reuse_events GROUP BY dossier_code) r ON r.dossier_code = d.code`,
  );
  const sums = `count(*), count(*) FILTER (WHERE docs > 0 AND docs_done = docs), count(*) FILTER (WHERE reuses > 0),
    count(*) FILTER (WHERE results > 0), count(*) FILTER (WHERE results > 0 AND results_done = results)`;
  await db.query(
    `INSERT INTO progress_summary (grain, period_start, unit_code, channel, received, digitized, with_reuse, results_issued, results_digitized)
     SELECT 'd', day, unit_code, channel, ${sums} FROM progress_dossiers GROUP BY day, unit_code, channel
     UNION ALL
     SELECT 'm', date_trunc('month', day)::date, unit_code, channel, ${sums} FROM progress_dossiers
     GROUP BY date_trunc('month', day), unit_code, channel`,
  );
  await db.query(
    `INSERT INTO progress_backlog (unit_code, results_digitized)
     SELECT unit_code, sum(results_done) FROM progress_dossiers WHERE channel = 'backlog' AND results_done > 0 GROUP BY unit_code`,
  );
  await db.query('ALTER TABLE progress_dossiers ENABLE TRIGGER progress_dossiers_sync');
}

/** Operational figures of one group of units (a unit with its predecessors, or a level). */
export interface OperationsRow {
  group: string;
  processed: number;
  p50Seconds: number | null;
  p95Seconds: number | null;
  inReview: number;
  oldestReviewSeconds: number | null;
  failures: Record<string, number>;
  deskKeys: number;
  deskDossiers: number;
}

/**
 * Live from the documents (not kept): time from a paper's receipt to `done` for papers done in
 * [from, to) (reused copies excluded: they are done at once); papers of the period's dossiers now in
 * review (and the longest wait) or failed (by code); dossiers received by desk keys and how many keys.
 * `groupOf` maps each unit to its group.
 */
export async function operations(db: Db, from: Date, to: Date, now: Date, groupOf: Map<string, string>): Promise<Map<string, OperationsRow>> {
  const units = [...groupOf.keys()];
  const groups = units.map((u) => groupOf.get(u)!);
  const map = `WITH g AS (SELECT * FROM unnest($1::text[], $2::text[]) AS t(unit_code, grp))`;
  const [proc, review, failed, desk] = await Promise.all([
    db.query<{ grp: string; n: string; p50: number | null; p95: number | null }>(
      `${map} SELECT g.grp, count(*) AS n,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM x.done_at - x.received_at)) AS p50,
         percentile_cont(0.95) WITHIN GROUP (ORDER BY extract(epoch FROM x.done_at - x.received_at)) AS p95
       FROM g JOIN documents x ON x.unit_code = g.unit_code AND x.status = 'done' AND x.done_at >= $3 AND x.done_at < $4 AND x.done_at <= $5
       WHERE x.reused_from IS NULL GROUP BY g.grp`,
      [units, groups, from, to, now],
    ),
    db.query<{ grp: string; n: string; oldest: number | null }>(
      `${map} SELECT g.grp, count(*) AS n, max(extract(epoch FROM $5 - COALESCE(x.review_at, x.updated_at))) AS oldest
       FROM g JOIN dossiers d ON d.unit_code = g.unit_code AND d.received_at >= $3 AND d.received_at < $4
       JOIN documents x ON x.dossier_code = d.code AND x.status = 'review' GROUP BY g.grp`,
      [units, groups, from, to, now],
    ),
    db.query<{ grp: string; code: string | null; n: string }>(
      `${map} SELECT g.grp, x.error_code AS code, count(*) AS n
       FROM g JOIN dossiers d ON d.unit_code = g.unit_code AND d.received_at >= $3 AND d.received_at < $4
       JOIN documents x ON x.dossier_code = d.code AND x.status = 'failed' GROUP BY g.grp, x.error_code`,
      [units, groups, from, to],
    ),
    db.query<{ grp: string; keys: string; n: string }>(
      `${map} SELECT g.grp, count(DISTINCT k.id) AS keys, count(*) AS n
       FROM g JOIN dossiers d ON d.unit_code = g.unit_code AND d.received_at >= $3 AND d.received_at < $4
       JOIN api_keys k ON d.created_by = 'key:' || k.id::text AND k.role = 'desk' GROUP BY g.grp`,
      [units, groups, from, to],
    ),
  ]);
  const out = new Map<string, OperationsRow>();
  const row = (g: string) => {
    let r = out.get(g);
    if (!r) {
      r = { group: g, processed: 0, p50Seconds: null, p95Seconds: null, inReview: 0, oldestReviewSeconds: null, failures: {}, deskKeys: 0, deskDossiers: 0 };
      out.set(g, r);
    }
    return r;
  };
  for (const r of proc.rows) Object.assign(row(r.grp), { processed: Number(r.n), p50Seconds: r.p50, p95Seconds: r.p95 });
  for (const r of review.rows) Object.assign(row(r.grp), { inReview: Number(r.n), oldestReviewSeconds: r.oldest === null ? null : Number(r.oldest) });
  for (const r of failed.rows) row(r.grp).failures[r.code ?? 'UNKNOWN'] = Number(r.n);
  for (const r of desk.rows) Object.assign(row(r.grp), { deskKeys: Number(r.keys), deskDossiers: Number(r.n) });
  return out;
}
