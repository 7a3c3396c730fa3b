// The batch manifest: a CSV saying which dossier each scan belongs to. Parsed with csv-parse; a bad
// line is reported with its number and reason and the rest of the batch goes on.
//
// Columns (header names are case-insensitive; spaces, `_` and `-` are ignored):
//   file          path of the scan, relative to the ingested folder (required)
//   dossierCode   the dossier to create (or add to, when it exists)          } at most one of these
//   group         any key: rows with the same key form one dossier            } decides the dossier
//   procedureCode, applicantId, receivedAt   dossier fields; empty = the row's group, else the command line
//   role          component | result (empty = --role)
import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import type { CsvError } from 'csv-parse';

export const MANIFEST_COLUMNS = ['file', 'dossierCode', 'group', 'procedureCode', 'applicantId', 'role', 'receivedAt'] as const;
export type ManifestColumn = (typeof MANIFEST_COLUMNS)[number];

export interface ManifestRow {
  /** Line in the CSV file (1 = the header), for messages. */
  line: number;
  file: string;
  dossierCode: string;
  group: string;
  procedureCode: string;
  applicantId: string;
  role: string;
  receivedAt: string;
}

export interface RowIssue {
  line: number | null;
  file: string | null;
  code: string;
  vars: Record<string, string | number>;
}

export interface Manifest {
  rows: ManifestRow[];
  issues: RowIssue[];
  unknownColumns: string[];
}

export class ManifestError extends Error {
  constructor(
    readonly kind: 'no-file-column' | 'unreadable',
    readonly detail: string,
  ) {
    super(detail);
  }
}

const normalizeHeader = (h: string) => h.replace(/^\uFEFF/, '').toLowerCase().replace(/[\s_\-]/g, '');
const HEADER_NAMES = new Map<string, ManifestColumn>(MANIFEST_COLUMNS.map((c) => [c.toLowerCase(), c]));

/** Spreadsheets in a Vietnamese locale save with `;`; tab-separated exports happen too. */
export function sniffDelimiter(firstLine: string): string {
  let best = ',';
  let bestCount = -1;
  for (const d of [',', ';', '\t']) {
    const count = firstLine.split(d).length - 1;
    if (count > bestCount) {
      best = d;
      bestCount = count;
    }
  }
  return best;
}

/** Manifest paths are relative to the folder, `/`-separated; Windows `\` and a leading `./` are accepted. */
export function normalizeManifestPath(p: string): string {
  return p.trim().replace(/\\/g, '/').replace(/^(\.\/)+/, '').replace(/\/{2,}/g, '/');
}

/** csv-parse's error codes, in the words of our messages (issue.CSV_*). */
function csvIssueCode(code: string | undefined): string {
  if (code === 'CSV_QUOTE_NOT_CLOSED') return 'CSV_QUOTE_NOT_CLOSED';
  if (code === 'CSV_INVALID_CLOSING_QUOTE' || code === 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE') return 'CSV_BAD_QUOTE';
  return 'CSV_SYNTAX';
}

export function parseManifest(text: string): Manifest {
  const body = text.replace(/^\uFEFF/, '');
  const firstLine = body.split(/\r?\n/, 1)[0] ?? '';
  const issues: RowIssue[] = [];
  let records: { record: string[]; line: number }[];
  // The line a skipped record started on: the line after the last good record (csv-parse reports
  // where it noticed the problem, which for an unclosed quote is the end of the file).
  let lastGoodLine = 0;
  const lines: number[] = [];
  try {
    const parsed = parse(body, {
      delimiter: sniffDelimiter(firstLine),
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      relax_quotes: true, // a quote inside an unquoted cell is kept as a character
      trim: true,
      on_record: (record: string[], context: { lines: number }) => {
        lastGoodLine = context.lines;
        lines.push(context.lines);
        return record;
      },
      on_skip: (err: CsvError | undefined) => {
        issues.push({ line: lastGoodLine + 1, file: null, code: csvIssueCode(err?.code), vars: {} });
        return undefined;
      },
    });
    records = parsed.map((record, i) => ({ record, line: lines[i] ?? 0 }));
  } catch (err) {
    throw new ManifestError('unreadable', (err as Error).message);
  }
  const header = records.shift();
  if (!header) throw new ManifestError('no-file-column', '(empty)');
  const index = new Map<ManifestColumn, number>();
  const unknownColumns: string[] = [];
  header.record.forEach((raw, i) => {
    const col = HEADER_NAMES.get(normalizeHeader(raw));
    if (col && !index.has(col)) index.set(col, i);
    else if (raw.trim()) unknownColumns.push(raw.trim());
  });
  if (!index.has('file')) throw new ManifestError('no-file-column', header.record.join(', '));

  const rows: ManifestRow[] = [];
  for (const { record, line } of records) {
    const cell = (c: ManifestColumn) => {
      const i = index.get(c);
      return i === undefined ? '' : (record[i] ?? '').trim();
    };
    // csv-parse counts the line a record ends on; a record spans one line unless a quoted cell breaks.
    const row: ManifestRow = {
      line,
      file: normalizeManifestPath(cell('file')),
      dossierCode: cell('dossierCode'),
      group: cell('group'),
      procedureCode: cell('procedureCode'),
      applicantId: cell('applicantId'),
      role: cell('role').toLowerCase(),
      receivedAt: cell('receivedAt'),
    };
    if (record.every((v) => v.trim() === '')) continue;
    if (!row.file) {
      issues.push({ line: row.line, file: null, code: 'EMPTY_FILE_CELL', vars: {} });
      continue;
    }
    rows.push(row);
  }
  return { rows, issues, unknownColumns };
}

export async function readManifest(path: string): Promise<Manifest> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ManifestError('unreadable', (err as NodeJS.ErrnoException).code ?? (err as Error).message);
  }
  return parseManifest(text);
}
