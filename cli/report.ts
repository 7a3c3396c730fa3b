// The batch report (CSV, one row per scan and per bad manifest row, written with csv-stringify) and
// the summary printed at the end.
import { stringify } from 'csv-stringify/sync';
import { hasMessage, type Translate } from './i18n.js';
import type { FileOutcome, IngestResult } from './ingest.js';
import { writeAtomically } from './state.js';

export const REPORT_COLUMNS = ['file', 'dossierCode', 'documentId', 'status', 'docType', 'code', 'error', 'duplicateOf', 'pages', 'line'] as const;

/** The report's `status`: the document's status once accepted, else what happened to the scan. */
export function reportStatus(o: FileOutcome): string {
  if (o.kind === 'accepted') return o.status ?? 'queued';
  return o.kind; // refused | invalid | not-sent
}

/** The words for a manifest or file issue (issue.<CODE> in the message catalog). */
export function issueMessage(code: string, vars: Record<string, string | number> | undefined, t: Translate): string {
  const key = `issue.${code}`;
  return hasMessage(key) ? t(key, vars) : '';
}

export function errorText(o: Pick<FileOutcome, 'error' | 'sameAs' | 'file'>, t: Translate): string {
  if (!o.error) return o.sameAs ? t('ingest.sameContent', { file: o.file, other: o.sameAs }) : '';
  const message = o.error.message || issueMessage(o.error.code, o.error.vars, t);
  return message ? `${o.error.code}: ${message}` : o.error.code;
}

export function reportCsv(result: IngestResult, t: Translate): string {
  const rows = result.outcomes.map((o) => [
    o.file,
    o.dossierCode ?? '',
    o.documentId ?? '',
    reportStatus(o),
    o.docType ?? '',
    o.code ?? '',
    errorText(o, t),
    o.duplicateOf ?? '',
    o.pages ?? '',
    o.line ?? '',
  ]);
  // A BOM so that Excel opens the Vietnamese text as UTF-8.
  return '\uFEFF' + stringify([[...REPORT_COLUMNS], ...rows], { record_delimiter: 'windows' });
}

export async function writeReport(path: string, result: IngestResult, t: Translate): Promise<void> {
  await writeAtomically(path, reportCsv(result, t));
}

export interface Summary {
  scans: number;
  ignoredFiles: number;
  accepted: number;
  acceptedThisRun: number;
  acceptedBefore: number;
  duplicates: number;
  refused: number;
  refusedByCode: Record<string, number>;
  invalidRows: number;
  invalidByCode: Record<string, number>;
  notSent: number;
  waited: boolean;
  done: number;
  review: number;
  failed: number;
  failedByCode: Record<string, number>;
  inProgress: number;
  pages: number;
  pagesPerMinute: number | null;
  requests: { GET: number; POST: number };
  elapsedSeconds: number;
  state: string;
  report: string | null;
}

const bump = (m: Record<string, number>, k: string) => {
  m[k] = (m[k] ?? 0) + 1;
};

export function summarize(
  result: IngestResult,
  extra: { scans: number; ignoredFiles: number; requests: { GET: number; POST: number }; elapsedSeconds: number; state: string; report: string | null },
): Summary {
  const s: Summary = {
    scans: extra.scans,
    ignoredFiles: extra.ignoredFiles,
    accepted: 0,
    acceptedThisRun: 0,
    acceptedBefore: 0,
    duplicates: 0,
    refused: 0,
    refusedByCode: {},
    invalidRows: 0,
    invalidByCode: {},
    notSent: 0,
    waited: result.followed,
    done: 0,
    review: 0,
    failed: 0,
    failedByCode: {},
    inProgress: 0,
    pages: 0,
    pagesPerMinute: null,
    requests: { ...extra.requests },
    elapsedSeconds: extra.elapsedSeconds,
    state: extra.state,
    report: extra.report,
  };
  // Pipeline pace, from the API's own clocks: pages of the documents accepted in this run, from the
  // first acceptance to the last of them coming to rest.
  let first = Infinity;
  let last = -Infinity;
  let pagesThisRun = 0;
  const countedDocs = new Set<string>();
  for (const o of result.outcomes) {
    if (o.kind === 'invalid') {
      s.invalidRows++;
      bump(s.invalidByCode, o.error?.code ?? 'INVALID');
      continue;
    }
    if (o.kind === 'refused') {
      s.refused++;
      bump(s.refusedByCode, o.error?.code ?? 'REFUSED');
      continue;
    }
    if (o.kind === 'not-sent') {
      s.notSent++;
      continue;
    }
    s.accepted++;
    if (o.acceptedNow) s.acceptedThisRun++;
    else s.acceptedBefore++;
    if (o.duplicateOf || o.sameAs) s.duplicates++;
    if (o.status === 'done') s.done++;
    else if (o.status === 'review') s.review++;
    else if (o.status === 'failed') {
      s.failed++;
      bump(s.failedByCode, o.error?.code ?? 'FAILED');
    } else s.inProgress++;
    if (o.pages) s.pages += o.pages;
    if (result.followed && o.acceptedNow && o.documentId && !countedDocs.has(o.documentId) && (o.status === 'done' || o.status === 'review')) {
      countedDocs.add(o.documentId);
      pagesThisRun += o.pages ?? 0;
      if (o.createdAt) first = Math.min(first, Date.parse(o.createdAt));
      if (o.updatedAt) last = Math.max(last, Date.parse(o.updatedAt));
    }
  }
  if (pagesThisRun > 0 && last > first) s.pagesPerMinute = Math.round((pagesThisRun / ((last - first) / 60_000)) * 10) / 10;
  return s;
}

const byCode = (m: Record<string, number>) =>
  Object.entries(m)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');

export function summaryLines(s: Summary, t: Translate): string[] {
  const lines: string[] = [];
  const row = (label: string, value: string | number) => lines.push(`  ${label.padEnd(18)} ${value}`);
  lines.push(t('sum.title'));
  row(t('sum.files'), s.scans);
  row(t('sum.accepted'), `${s.accepted} (${t('sum.acceptedDetail', { now: s.acceptedThisRun, before: s.acceptedBefore })})`);
  row(t('sum.duplicates'), s.duplicates);
  if (s.refused) row(t('sum.refused'), `${s.refused} (${byCode(s.refusedByCode)})`);
  if (s.invalidRows) row(t('sum.invalid'), `${s.invalidRows} (${byCode(s.invalidByCode)})`);
  if (s.notSent) row(t('sum.notSent'), s.notSent);
  if (s.waited) {
    row(t('sum.done'), s.done);
    row(t('sum.review'), s.review);
    row(t('sum.failed'), s.failed ? `${s.failed} (${byCode(s.failedByCode)})` : 0);
    if (s.inProgress) row(t('sum.pending'), s.inProgress);
    row(t('sum.ppm'), s.pagesPerMinute ?? '-');
  }
  row(t('sum.requests'), `POST ${s.requests.POST}, GET ${s.requests.GET}`);
  row(t('sum.elapsed'), `${s.elapsedSeconds.toFixed(1)} s`);
  if (s.report) row(t('sum.report'), s.report);
  row(t('sum.state'), s.state);
  return lines;
}
