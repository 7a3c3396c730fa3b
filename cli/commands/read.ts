// The read-only commands: status, search, person, verify, progress. Each prints a table for people or
// the API's own JSON with --json.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Document } from '../../schemas/api.js';
import { CliError, EXIT, type ExitCode } from '../exit.js';
import { positiveInt, retryLine, type Ctx } from '../context.js';
import { fileBlob } from '../files.js';
import type { DossierView } from '../intake.js';
import { pct, table } from '../output.js';
import type { Translate } from '../i18n.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const READ_RETRY_S = 30;

// Shapes of ../shared/API.md for the search, people and progress endpoints.
export interface SearchItem {
  id: string;
  code: string | null;
  docType: string | null;
  title: string | null;
  unitCode: string;
  issueDate: string | null;
  personIds: string[];
  snippet: string | null;
  status: string;
  reusable: boolean;
  notReusableReason: string | null;
}
export interface SearchAnswer {
  total: number;
  items: SearchItem[];
  nextCursor: string | null;
}
export interface PersonItem {
  id: string;
  code: string | null;
  docType: string | null;
  title: string | null;
  unitCode: string;
  issueDate: string | null;
  validUntil: string | null;
  reusable: boolean;
  notReusableReason: string | null;
  inScope: boolean;
}
export interface Score766 {
  digitization: number | null;
  reuse: number | null;
  points: number | null;
  maxPoints: number;
}
export interface ProgressItem {
  /** Null for an item of `groupBy=level`, which has a `name` instead. */
  unitCode: string | null;
  name?: string;
  level: string;
  dossiersReceived: number;
  dossiersDigitized: number;
  digitizationRate: number | null;
  dossiersWithReuse: number;
  reuseRate: number | null;
  resultsIssued: number;
  resultsDigitized: number;
  resultDigitizationRate: number | null;
  target: { digitization: number | null; reuse: number | null };
  onTrack: boolean | null;
  gap: { digitization: number | null; reuse: number | null };
  score766: Score766 | number | null;
}

/** Decision 766's digitization points as "points/max", or a bare number from an API that gives one. */
function score(s: ProgressItem['score766']): string {
  if (s === null || s === undefined) return '';
  if (typeof s === 'number') return String(s);
  return s.points === null ? '' : `${Math.round(s.points * 10) / 10}/${s.maxPoints}`;
}
export interface Verification {
  valid: boolean;
  intact: boolean;
  coversWholeDocument: boolean;
  signer: string | null;
  unitCode: string | null;
  signedAt: string | null;
  chainTrusted: boolean;
  timestamp: string | null;
  reason: string | null;
}

const yesNo = (t: Translate, v: boolean | null | undefined) => (v === null || v === undefined ? '' : v ? t('yes') : t('no'));
const reusable = (t: Translate, i: { reusable: boolean; notReusableReason: string | null }) =>
  i.reusable ? t('yes') : `${t('no')}${i.notReusableReason ? ` (${i.notReusableReason})` : ''}`;
const errText = (e: { code: string; message: string } | null) => (e ? `${e.code}: ${e.message}` : '');

function documentLines(t: Translate, d: Document): string {
  const rows: [string, unknown][] = [
    ['id', d.id],
    ['dossierCode', d.dossierCode],
    ['fileName', d.fileName],
    ['role', d.role],
    ['status', d.status],
    ['docType', d.docType === null ? null : `${d.docType}${d.docTypeConfidence !== null ? ` (${d.docTypeConfidence.toFixed(2)})` : ''}`],
    ['code', d.code],
    ['pages', d.pages],
    ['duplicateOf', d.duplicateOf],
    ['error', errText(d.error)],
    ['reviewReasons', d.reviewReasons?.join('; ')],
    ['fields', d.fields ? Object.entries(d.fields).map(([k, v]) => `${k}=${v}`).join('; ') : null],
    ['signer', d.signer],
    ['signedAt', d.signedAt],
    ['createdAt', d.createdAt],
    ['updatedAt', d.updatedAt],
  ];
  return table(
    [t('col.field'), t('col.value')],
    rows.filter(([, v]) => v !== null && v !== undefined && v !== '').map(([k, v]) => [k, String(v)]),
  );
}

export async function statusCommand(ctx: Ctx, target: string): Promise<ExitCode> {
  const { t } = ctx;
  // A document id is a UUID; anything else is taken for a dossier code (older schemes included).
  if (!UUID.test(target) && !/^[\x21-\x7e]{1,100}$/.test(target)) {
    throw new CliError(t('err.invalidField', { field: 'id / dossierCode', detail: target }), EXIT.USAGE, 'USAGE');
  }
  const client = ctx.client({ retryForDefaultS: READ_RETRY_S, onRetry: (n) => ctx.err(retryLine(t, n)) });
  if (UUID.test(target)) {
    const doc = await client.get<Document>(`/v1/documents/${target}`);
    if (ctx.json) ctx.printJson(doc);
    else ctx.out(documentLines(t, doc));
    return EXIT.OK;
  }
  const d = await client.get<DossierView>(`/v1/dossiers/${encodeURIComponent(target)}`);
  if (ctx.json) ctx.printJson(d);
  else {
    ctx.out(t('status.dossier', { code: d.dossierCode, unit: d.unitCode, procedure: d.procedureCode, channel: d.channel, receivedAt: d.receivedAt }));
    ctx.out(
      table(
        [t('col.file'), t('col.id'), t('col.status'), t('col.docType'), t('col.code'), t('col.pages'), t('col.error')],
        d.documents.map((x) => [x.fileName, x.id, x.status, x.docType, x.code, x.pages, errText(x.error)]),
      ),
    );
  }
  return EXIT.OK;
}

export interface SearchFlags {
  person?: string;
  docType?: string;
  code?: string;
  unit?: string;
  status?: string;
  from?: string;
  to?: string;
  limit?: string;
  cursor?: string;
  all?: boolean;
}

export async function searchCommand(ctx: Ctx, q: string | undefined, o: SearchFlags): Promise<ExitCode> {
  const { t } = ctx;
  const limit = o.limit === undefined ? undefined : positiveInt(t, '--limit', o.limit, 20);
  const client = ctx.client({ retryForDefaultS: READ_RETRY_S, onRetry: (n) => ctx.err(retryLine(t, n)) });
  const query = { q, personId: o.person, docType: o.docType, code: o.code, unitCode: o.unit, status: o.status, issuedFrom: o.from, issuedTo: o.to, limit };
  let cursor = o.cursor;
  const items: SearchItem[] = [];
  let total = 0;
  let next: string | null = null;
  do {
    const page = await client.get<SearchAnswer>('/v1/search', { ...query, cursor });
    items.push(...page.items);
    total = page.total;
    next = page.nextCursor ?? null;
    cursor = next ?? undefined;
  } while (o.all && next);
  if (ctx.json) ctx.printJson({ total, items, nextCursor: next });
  else {
    ctx.out(
      table(
        [t('col.code'), t('col.docType'), t('col.title'), t('col.unit'), t('col.issueDate'), t('col.status'), t('col.reusable'), t('col.id')],
        items.map((i) => [i.code, i.docType, i.title, i.unitCode, i.issueDate, i.status, reusable(t, i), i.id]),
      ),
    );
    ctx.out(t('search.total', { total }));
    if (next) ctx.out(t('search.more', { cursor: next }));
  }
  return EXIT.OK;
}

export async function personCommand(ctx: Ctx, personId: string): Promise<ExitCode> {
  const { t } = ctx;
  const client = ctx.client({ retryForDefaultS: READ_RETRY_S, onRetry: (n) => ctx.err(retryLine(t, n)) });
  const answer = await client.get<{ items: PersonItem[] }>(`/v1/people/${encodeURIComponent(personId)}/documents`);
  if (ctx.json) ctx.printJson(answer);
  else if (answer.items.length === 0) ctx.out(t('person.none'));
  else {
    ctx.out(
      table(
        [t('col.code'), t('col.docType'), t('col.title'), t('col.unit'), t('col.issueDate'), t('col.validUntil'), t('col.reusable'), 'inScope'],
        answer.items.map((i) => [i.code, i.docType, i.title, i.unitCode, i.issueDate, i.validUntil, reusable(t, i), yesNo(t, i.inScope)]),
      ),
    );
  }
  return EXIT.OK;
}

export async function verifyCommand(ctx: Ctx, file: string): Promise<ExitCode> {
  const { t } = ctx;
  const abs = path.resolve(file);
  const st = await stat(abs).catch(() => null);
  if (!st?.isFile()) throw new CliError(t('err.fileMissing', { path: abs }), EXIT.USAGE, 'FILE_NOT_FOUND');
  const client = ctx.client({ retryForDefaultS: READ_RETRY_S, onRetry: (n) => ctx.err(retryLine(t, n)) });
  const res = await client.send<Verification>({
    method: 'POST',
    path: '/v1/verify',
    form: async () => {
      const fd = new FormData();
      fd.append('file', await fileBlob(abs), path.basename(abs));
      return fd;
    },
  });
  const v = res.body;
  if (ctx.json) ctx.printJson(v);
  else {
    ctx.out(v.valid ? t('verify.valid') : t('verify.invalid'));
    const rows: [string, string | null][] = [
      ['intact', yesNo(t, v.intact)],
      ['coversWholeDocument', yesNo(t, v.coversWholeDocument)],
      ['chainTrusted', yesNo(t, v.chainTrusted)],
      ['signer', v.signer],
      ['unitCode', v.unitCode],
      ['signedAt', v.signedAt],
      ['timestamp', v.timestamp],
      ['reason', v.reason],
    ];
    ctx.out(table([t('col.field'), t('col.value')], rows.filter(([, x]) => x !== null && x !== '')));
  }
  return v.valid ? EXIT.OK : EXIT.PARTIAL;
}

export interface ProgressFlags {
  unit?: string;
  period?: string;
  groupBy?: string;
  csv?: boolean;
}

export async function progressCommand(ctx: Ctx, o: ProgressFlags): Promise<ExitCode> {
  const { t } = ctx;
  const client = ctx.client({ retryForDefaultS: READ_RETRY_S, onRetry: (n) => ctx.err(retryLine(t, n)) });
  const query = { unitCode: o.unit, period: o.period, groupBy: o.groupBy };
  if (o.csv) {
    const res = await client.send<string>({ method: 'GET', path: '/v1/progress.csv', query, as: 'text' });
    process.stdout.write(res.body.endsWith('\n') ? res.body : `${res.body}\n`);
    return EXIT.OK;
  }
  const answer = await client.get<{ period: string; items: ProgressItem[] }>('/v1/progress', query);
  if (ctx.json) ctx.printJson(answer);
  else {
    ctx.out(answer.period);
    ctx.out(
      table(
        [t('col.unit'), t('col.level'), t('col.received'), t('col.digitized'), t('col.rate'), t('col.reuse'), 'target', t('col.onTrack'), '766'],
        answer.items.map((i) => [
          i.unitCode ?? i.name ?? '',
          i.level,
          i.dossiersReceived,
          i.dossiersDigitized,
          pct(i.digitizationRate),
          pct(i.reuseRate),
          `${pct(i.target?.digitization)} / ${pct(i.target?.reuse)}`,
          yesNo(t, i.onTrack),
          score(i.score766),
        ]),
      ),
    );
  }
  return EXIT.OK;
}
