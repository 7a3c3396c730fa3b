// The search index (migration 005): a row per paper that rests in review or done, kept current by a
// trigger on documents. Every query here takes the caller's units; nothing outside them is listed,
// counted or snippeted.
import type { Pool, PoolClient } from '../db.js';
import type { DocumentStatus } from '../../schemas/api.js';

type Db = Pool | PoolClient;

export interface SearchFilters {
  /** Units the rows must belong to (the key's scope, narrowed by a unit filter); null: every unit. */
  units: string[] | null;
  personId?: string;
  docType?: string;
  /** A code or its beginning. */
  codePrefix?: string;
  issuedFrom?: string;
  issuedTo?: string;
  status?: DocumentStatus;
  /** Words as typed: every one must appear (diacritics folded) in the text, fields, codes or applicant. */
  text?: string;
  /** Digits typed: ids (and other numbers) that begin with them. */
  digitsPrefix?: string;
  /** Trigram matching of names (OCR near-misses), for a query no word matched. */
  fuzzyNames?: string;
}

/**
 * Tiers, best first: the exact spelling typed (with its diacritics) in fields or codes; then papers
 * naming a person whose full name is the query; then every other match. Newest first within a tier.
 */
export interface SearchCursor {
  tier: number;
  sortAt: string;
  id: string;
}

export interface SearchRow {
  id: string;
  dossierCode: string;
  unitCode: string;
  docType: string | null;
  code: string | null;
  status: DocumentStatus;
  issueDate: string | null;
  sortAt: string;
  personIds: string[];
  fields: Record<string, string> | null;
  revokedAt: string | null;
  supersededBy: string | null;
  reusedFrom: string | null;
  tier: number;
}

interface Row {
  document_id: string;
  dossier_code: string;
  unit_code: string;
  doc_type: string | null;
  code: string | null;
  status: DocumentStatus;
  issue_date: string | null;
  sort_at: Date;
  person_ids: string[];
  fields: Record<string, string> | null;
  revoked_at: Date | null;
  superseded_by: string | null;
  reused_from: string | null;
}

class Sql {
  readonly args: unknown[] = [];
  readonly where: string[] = [];
  arg(v: unknown): string {
    this.args.push(v);
    return `$${this.args.length}`;
  }
  and(cond: string): void {
    this.where.push(cond);
  }
}

const likePrefix = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`) + '%';

/** The words, parsed by PostgreSQL's own parser with the folding configuration the index was built with. */
function tsquerySql(f: SearchFilters, sql: Sql): string | null {
  if (f.fuzzyNames) return null;
  if (f.digitsPrefix) return `to_tsquery('simple', ${sql.arg(f.digitsPrefix)} || ':*')`;
  if (f.text) return `plainto_tsquery('motcua_vi', ${sql.arg(f.text)})`;
  return null;
}

function filterSql(f: SearchFilters, sql: Sql): void {
  if (f.units) sql.and(`s.unit_code = ANY(${sql.arg(f.units)}::text[])`);
  if (f.personId) sql.and(`s.person_ids @> ARRAY[${sql.arg(f.personId)}]::text[]`);
  if (f.docType) sql.and(`s.doc_type = ${sql.arg(f.docType)}`);
  if (f.codePrefix) sql.and(`s.code LIKE ${sql.arg(likePrefix(f.codePrefix))}`);
  if (f.issuedFrom) sql.and(`s.issue_date >= ${sql.arg(f.issuedFrom)}::date`);
  if (f.issuedTo) sql.and(`s.issue_date <= ${sql.arg(f.issuedTo)}::date`);
  if (f.status) sql.and(`s.status = ${sql.arg(f.status)}`);
  const q = tsquerySql(f, sql);
  if (q) sql.and(`s.tsv @@ ${q}`);
  if (f.fuzzyNames) sql.and(`motcua_fold(${sql.arg(f.fuzzyNames)}) <% s.names`);
}

/** The conditions of the tiers before the last ("every other match"), for a query typed in words. */
function tierConds(f: SearchFilters): ((sql: Sql) => string)[] {
  const text = f.text;
  if (!text || f.fuzzyNames || f.digitsPrefix) return [];
  const conds: ((sql: Sql) => string)[] = [];
  // Typed with diacritics: the spelling as typed, side by side, in fields or codes.
  if (/[^\x00-\x7f]/.test(text)) conds.push((sql) => `s.tsv_exact @@ phraseto_tsquery('simple', ${sql.arg(text)})`);
  // Two to five words of letters: maybe a person's full name.
  if (/^\p{L}+(?: \p{L}+){1,4}$/u.test(text)) conds.push((sql) => `s.name_keys @> ARRAY[motcua_fold(${sql.arg(text)})]`);
  return conds;
}

export interface Count {
  total: number;
  /** false: more than the exact-count limit matched and `total` is PostgreSQL's estimate. */
  exact: boolean;
}

/**
 * How many match. Counting a hundred thousand matches exactly costs a visit to each; above `exactUpTo`
 * (by the planner's estimate from its statistics) the estimate is returned instead, marked so.
 */
export async function countDocuments(db: Db, f: SearchFilters, exactUpTo = 5000): Promise<Count> {
  const sql = new Sql();
  filterSql(f, sql);
  const where = sql.where.length ? `WHERE ${sql.where.join(' AND ')}` : '';
  const { rows: plan } = await db.query<{ 'QUERY PLAN': [{ Plan: { 'Plan Rows': number } }] }>(
    `EXPLAIN (FORMAT JSON) SELECT 1 FROM search_index s ${where}`,
    sql.args,
  );
  const estimate = Math.round(plan[0]?.['QUERY PLAN'][0]?.Plan['Plan Rows'] ?? 0);
  if (estimate > exactUpTo) return { total: estimate, exact: false };
  const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM search_index s ${where}`, sql.args);
  return { total: rows[0]?.n ?? 0, exact: true };
}

const SELECT = `SELECT s.document_id, d.dossier_code, s.unit_code, s.doc_type, s.code, s.status, s.issue_date::text AS issue_date,
    s.sort_at, s.person_ids, d.fields, d.revoked_at, d.superseded_by, d.reused_from
  FROM search_index s JOIN documents d ON d.id = s.document_id`;

const toRow = (r: Row, tier: number): SearchRow => ({
  id: r.document_id,
  dossierCode: r.dossier_code,
  unitCode: r.unit_code,
  docType: r.doc_type,
  code: r.code,
  status: r.status,
  issueDate: r.issue_date,
  sortAt: r.sort_at.toISOString(),
  personIds: r.person_ids,
  fields: r.fields,
  revokedAt: r.revoked_at ? r.revoked_at.toISOString() : null,
  supersededBy: r.superseded_by,
  reusedFrom: r.reused_from,
  tier,
});

async function page(db: Db, f: SearchFilters, tier: number, after: SearchCursor | null, limit: number): Promise<SearchRow[]> {
  const sql = new Sql();
  filterSql(f, sql);
  const conds = tierConds(f);
  // A tier holds what its condition matches and no earlier tier's.
  conds.slice(0, tier).forEach((c) => sql.and(`NOT (${c(sql)})`));
  if (tier < conds.length) sql.and(conds[tier]!(sql));
  if (after) sql.and(`(s.sort_at, s.document_id) < (${sql.arg(after.sortAt)}::timestamptz, ${sql.arg(after.id)}::uuid)`);
  const { rows } = await db.query<Row>(
    `${SELECT} ${sql.where.length ? `WHERE ${sql.where.join(' AND ')}` : ''}
     ORDER BY s.sort_at DESC, s.document_id DESC LIMIT ${sql.arg(limit)}`,
    sql.args,
  );
  return rows.map((r) => toRow(r, tier));
}

/**
 * One page in keyset order: tier by tier, newest first in each. Each tier is read along an index in
 * sort order, so a page deep in the list costs what the first one does.
 */
export async function searchDocuments(db: Db, f: SearchFilters, after: SearchCursor | null, limit: number): Promise<SearchRow[]> {
  const tiers = tierConds(f).length + 1;
  const out: SearchRow[] = [];
  for (let tier = after?.tier ?? 0; tier < tiers && out.length < limit; tier++) {
    out.push(...(await page(db, f, tier, after && after.tier === tier ? after : null, limit - out.length)));
  }
  return out;
}

/** Snippets with the match marked, for the rows of one page. */
export async function snippets(db: Db, ids: string[], f: SearchFilters): Promise<Map<string, string>> {
  const sql = new Sql();
  sql.arg(ids);
  const q = f.fuzzyNames ? `plainto_tsquery('motcua_vi', ${sql.arg(f.fuzzyNames)})` : tsquerySql(f, sql);
  if (ids.length === 0 || !q) return new Map();
  const { rows } = await db.query<{ id: string; snippet: string }>(
    `SELECT d.id, ts_headline('motcua_vi', coalesce(nullif(d.ocr_text, ''), s.key_text), ${q},
       'StartSel=<mark>, StopSel=</mark>, MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "') AS snippet
     FROM documents d JOIN search_index s ON s.document_id = d.id WHERE d.id = ANY($1::uuid[])`,
    sql.args,
  );
  return new Map(rows.map((r) => [r.id, r.snippet]));
}

/** Every indexed paper naming this person, in every unit, newest first (the service applies scope). */
export async function personDocuments(db: Db, personId: string, limit: number): Promise<SearchRow[]> {
  const { rows } = await db.query<Row>(
    `${SELECT} WHERE s.person_ids @> ARRAY[$1]::text[] ORDER BY s.sort_at DESC, s.document_id DESC LIMIT $2`,
    [personId, limit],
  );
  return rows.map((r) => toRow(r, 1));
}

/** The person ids an indexed paper names (empty when it is not indexed). */
export async function personIdsOf(db: Db, documentId: string): Promise<string[]> {
  const { rows } = await db.query<{ person_ids: string[] }>('SELECT person_ids FROM search_index WHERE document_id = $1', [documentId]);
  return rows[0]?.person_ids ?? [];
}

/** The query plan of a search, for the benchmark's report. */
export async function explainSearch(db: Db, f: SearchFilters, limit: number): Promise<string> {
  const sql = new Sql();
  filterSql(f, sql);
  const { rows } = await db.query<{ 'QUERY PLAN': string }>(
    `EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${SELECT} ${sql.where.length ? `WHERE ${sql.where.join(' AND ')}` : ''}
     ORDER BY s.sort_at DESC, s.document_id DESC LIMIT ${sql.arg(limit)}`,
    sql.args,
  );
  return rows.map((r) => r['QUERY PLAN']).join('\n');
}
