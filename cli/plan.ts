// From a folder listing, an optional manifest and the command-line defaults to a plan: which dossiers
// to create and which scan goes into each, with every row or file that cannot go anywhere reported.
// The dossier fields are checked with the API's own schema and identifier rules before anything is
// sent, so a typo in row 812 is reported at once instead of after 811 uploads.
import { DOCUMENT_ROLES, type Channel, type DocumentRole } from '../schemas/api.js';
import { checkDossierFields as checkApiFields } from '../services/dossier-fields.js';
import { loadSchemes, schemeFor } from '../services/codes/index.js';
import { AppError } from '../services/errors.js';
import type { ScanFile } from './files.js';
import type { Manifest, ManifestRow, RowIssue } from './manifest.js';

export interface Defaults {
  unitCode: string;
  channel: Channel;
  role: DocumentRole;
  procedureCode?: string;
  applicantId?: string;
  receivedAt?: string;
}

export interface DossierFieldValues {
  unitCode: string;
  procedureCode: string;
  applicantId: string;
  channel: Channel;
  dossierCode?: string;
  receivedAt?: string;
}

export interface PlannedFile {
  scan: ScanFile;
  role: DocumentRole;
  line: number | null;
}

export interface PlannedDossier {
  /** Stable across runs: `code:<dossierCode>`, `group:<key>` or `file:<relative path>`. */
  id: string;
  fields: DossierFieldValues;
  files: PlannedFile[];
}

export interface Plan {
  dossiers: PlannedDossier[];
  issues: RowIssue[];
}

const VIETNAM_OFFSET = '+07:00';

/**
 * A clerk writes dates as they are printed: `DD/MM/YYYY`, or ISO `YYYY-MM-DD`; both mean the start of
 * that day in Vietnam. A date-time without an offset is Vietnam time. Null when it is none of these.
 */
export function normalizeReceivedAt(raw: string, now: Date = new Date()): string | null {
  const v = raw.trim();
  let iso: string | null = null;
  let m: RegExpExecArray | null;
  if ((m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(v))) iso = `${m[3]}-${m[2]!.padStart(2, '0')}-${m[1]!.padStart(2, '0')}T00:00:00${VIETNAM_OFFSET}`;
  else if (/^\d{4}-\d{2}-\d{2}$/.test(v)) iso = `${v}T00:00:00${VIETNAM_OFFSET}`;
  else if ((m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(:\d{2}(\.\d+)?)?)$/.exec(v))) iso = `${m[1]}T${m[2]!.length === 5 ? `${m[2]}:00` : m[2]}${VIETNAM_OFFSET}`;
  else if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})$/.test(v)) iso = v.replace(' ', 'T');
  if (!iso) return null;
  const t = Date.parse(iso);
  if (Number.isNaN(t) || t > now.getTime()) return null;
  // Date.parse rolls 31/02 over to March; a date that does not round-trip is not a date.
  const day = iso.slice(0, 10);
  const back = new Date(Date.parse(`${day}T12:00:00Z`)).toISOString().slice(0, 10);
  return back === day ? iso : null;
}

const FIELD_FLAGS: Record<string, string> = { procedureCode: 'procedure', applicantId: 'applicant', receivedAt: 'received-at' };

/** The command-line option that gives each dossier field. */
export const OPTION_OF: Record<string, string> = {
  unitCode: '--unit',
  procedureCode: '--procedure',
  applicantId: '--applicant',
  receivedAt: '--received-at',
  channel: '--channel',
  dossierCode: '--dossier-code',
};

/** Valid stand-ins for fields the command line leaves to the manifest, to check the others alone. */
export const PLACEHOLDER = { procedureCode: '1.000001', applicantId: '001090000001' } as const;

export interface FieldProblem {
  field: string;
  vi: string;
  en: string;
  value: string;
}

/**
 * Checks dossier fields with the API's own rules (services/dossier-fields.ts: code patterns from the
 * code-scheme data, the identifier rules, the dossier-code scheme of the day received): null when
 * fine, else the field and why, in both languages.
 */
export function checkDossierFields(f: DossierFieldValues, now: Date = new Date()): FieldProblem | null {
  const raw: Record<string, string> = { unitCode: f.unitCode, procedureCode: f.procedureCode, applicantId: f.applicantId, channel: f.channel };
  if (f.dossierCode) raw.dossierCode = f.dossierCode;
  if (f.receivedAt) raw.receivedAt = f.receivedAt;
  let checked;
  try {
    checked = checkApiFields(raw, now);
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    const field = err.field ?? 'fields';
    const d = err.detail;
    return { field, vi: typeof d === 'object' ? d.vi : (d ?? err.code), en: typeof d === 'object' ? d.en : (d ?? err.code), value: raw[field] ?? '' };
  }
  // Dossiers get a code under the scheme in force on the day received; none existed before the first.
  try {
    schemeFor('dossier', checked.receivedAtDate);
  } catch {
    const first = loadSchemes().filter((x) => x.kind === 'dossier').map((x) => x.effectiveFrom).sort()[0] ?? '?';
    return {
      field: 'receivedAt',
      vi: `chưa có quy tắc mã hồ sơ nào có hiệu lực vào ngày này (sớm nhất: ${first})`,
      en: `no dossier-code scheme was in force on that day (the first starts ${first})`,
      value: raw.receivedAt ?? '',
    };
  }
  return null;
}

function issue(row: ManifestRow | null, file: string | null, code: string, vars: Record<string, string | number> = {}): RowIssue {
  return { line: row?.line ?? null, file: file ?? row?.file ?? null, code, vars };
}

const problemVars = (bad: FieldProblem) => ({ field: bad.field, detail_vi: bad.vi, detail_en: bad.en, value: bad.value });

function fieldIssue(rows: ManifestRow[], bad: FieldProblem): RowIssue[] {
  return rows.map((r) => issue(r, null, 'INVALID_FIELD', problemVars(bad)));
}

export function buildPlan(scans: ScanFile[], manifest: Manifest | null, defaults: Defaults, now: Date = new Date()): Plan {
  const issues: RowIssue[] = manifest ? [...manifest.issues] : [];
  const dossiers: PlannedDossier[] = [];
  const byRel = new Map(scans.map((s) => [s.rel, s]));
  const listed = new Set<string>();
  const defaultReceived = defaults.receivedAt;

  const singleFile = (scan: ScanFile, row: ManifestRow | null) => {
    if (!defaults.procedureCode || !defaults.applicantId) {
      issues.push(issue(row, scan.rel, 'NOT_IN_MANIFEST'));
      return;
    }
    const fields: DossierFieldValues = {
      unitCode: defaults.unitCode,
      procedureCode: defaults.procedureCode,
      applicantId: defaults.applicantId,
      channel: defaults.channel,
      ...(defaultReceived ? { receivedAt: defaultReceived } : {}),
    };
    const bad = checkDossierFields(fields, now);
    if (bad) {
      issues.push(issue(row, scan.rel, 'INVALID_FIELD', problemVars(bad)));
      return;
    }
    dossiers.push({ id: `file:${scan.rel}`, fields, files: [{ scan, role: defaults.role, line: row?.line ?? null }] });
  };

  if (manifest) {
    // Rows whose own cells are wrong (no such file, a bad role, a bad date) are dropped one by one.
    const firstLine = new Map<string, number>();
    const good: { row: ManifestRow; scan: ScanFile; role: DocumentRole; receivedAt: string }[] = [];
    for (const row of manifest.rows) {
      const seen = firstLine.get(row.file);
      if (seen !== undefined) {
        issues.push(issue(row, null, 'DUPLICATE_ROW', { first: seen }));
        continue;
      }
      firstLine.set(row.file, row.line);
      listed.add(row.file);
      const scan = byRel.get(row.file);
      if (!scan) {
        issues.push(issue(row, null, /\.(pdf|tiff?|jpe?g|png)$/i.test(row.file) ? 'FILE_NOT_FOUND' : 'NOT_A_SCAN'));
        continue;
      }
      const role = row.role || defaults.role;
      if (!(DOCUMENT_ROLES as readonly string[]).includes(role)) {
        issues.push(issue(row, null, 'INVALID_ROLE', { value: row.role }));
        continue;
      }
      let receivedAt = '';
      if (row.receivedAt) {
        const norm = normalizeReceivedAt(row.receivedAt, now);
        if (!norm) {
          issues.push(issue(row, null, 'INVALID_RECEIVED_AT', { value: row.receivedAt }));
          continue;
        }
        receivedAt = norm;
      }
      good.push({ row, scan, role: role as DocumentRole, receivedAt });
    }

    // A group's dossier code, when some of its rows name one, belongs to all of them.
    const groupCode = new Map<string, Set<string>>();
    for (const g of good) {
      if (g.row.group && g.row.dossierCode) {
        const set = groupCode.get(g.row.group) ?? new Set<string>();
        set.add(g.row.dossierCode);
        groupCode.set(g.row.group, set);
      }
    }
    const keyOf = (row: ManifestRow): string | null => {
      const code = row.dossierCode || (row.group ? [...(groupCode.get(row.group) ?? [])][0] : undefined);
      if (code) return `code:${code}`;
      if (row.group) return `group:${row.group}`;
      return null;
    };

    const groups = new Map<string, typeof good>();
    for (const g of good) {
      if (g.row.group && (groupCode.get(g.row.group)?.size ?? 0) > 1) {
        const lines = good.filter((o) => o.row.group === g.row.group).map((o) => o.row.line).join(', ');
        issues.push(issue(g.row, null, 'GROUP_CONFLICT', { field: 'dossierCode', group: g.row.group, lines }));
        continue;
      }
      const key = keyOf(g.row);
      if (key === null) {
        // One file, one dossier: its own row's cells, else the command line.
        const fields: DossierFieldValues = {
          unitCode: defaults.unitCode,
          procedureCode: g.row.procedureCode || defaults.procedureCode || '',
          applicantId: g.row.applicantId || defaults.applicantId || '',
          channel: defaults.channel,
          ...((g.receivedAt || defaultReceived) ? { receivedAt: g.receivedAt || defaultReceived } : {}),
        };
        const missing = !fields.procedureCode ? 'procedureCode' : !fields.applicantId ? 'applicantId' : null;
        if (missing) {
          issues.push(issue(g.row, null, 'MISSING_FIELD', { field: missing, flag: FIELD_FLAGS[missing]! }));
          continue;
        }
        const bad = checkDossierFields(fields, now);
        if (bad) {
          issues.push(...fieldIssue([g.row], bad));
          continue;
        }
        dossiers.push({ id: `file:${g.scan.rel}`, fields, files: [{ scan: g.scan, role: g.role, line: g.row.line }] });
        continue;
      }
      const list = groups.get(key) ?? [];
      list.push(g);
      groups.set(key, list);
    }

    for (const [key, members] of groups) {
      const rows = members.map((m) => m.row);
      const label = key.slice(key.indexOf(':') + 1);
      const pick = (field: 'procedureCode' | 'applicantId' | 'receivedAt'): { value: string } | { conflict: string } => {
        const values = new Map<string, number[]>();
        for (const m of members) {
          const v = field === 'receivedAt' ? m.receivedAt : m.row[field];
          if (v) values.set(v, [...(values.get(v) ?? []), m.row.line]);
        }
        if (values.size > 1) return { conflict: [...values.values()].flat().sort((a, b) => a - b).join(', ') };
        const only = [...values.keys()][0];
        const fallback = field === 'procedureCode' ? defaults.procedureCode : field === 'applicantId' ? defaults.applicantId : defaultReceived;
        return { value: only ?? fallback ?? '' };
      };
      const picked = { procedureCode: pick('procedureCode'), applicantId: pick('applicantId'), receivedAt: pick('receivedAt') };
      const conflict = (Object.entries(picked) as [string, { value: string } | { conflict: string }][]).find(([, p]) => 'conflict' in p);
      if (conflict) {
        const lines = (conflict[1] as { conflict: string }).conflict;
        for (const r of rows) issues.push(issue(r, null, 'GROUP_CONFLICT', { field: conflict[0], group: label, lines }));
        continue;
      }
      const value = (p: { value: string } | { conflict: string }) => ('value' in p ? p.value : '');
      const fields: DossierFieldValues = {
        unitCode: defaults.unitCode,
        procedureCode: value(picked.procedureCode),
        applicantId: value(picked.applicantId),
        channel: defaults.channel,
        ...(key.startsWith('code:') ? { dossierCode: label } : {}),
        ...(value(picked.receivedAt) ? { receivedAt: value(picked.receivedAt) } : {}),
      };
      const missing = !fields.procedureCode ? 'procedureCode' : !fields.applicantId ? 'applicantId' : null;
      if (missing) {
        for (const r of rows) issues.push(issue(r, null, 'MISSING_FIELD', { field: missing, flag: FIELD_FLAGS[missing]! }));
        continue;
      }
      const bad = checkDossierFields(fields, now);
      if (bad) {
        issues.push(...fieldIssue(rows, bad));
        continue;
      }
      dossiers.push({ id: key, fields, files: members.map((m) => ({ scan: m.scan, role: m.role, line: m.row.line })) });
    }
  }

  // Scans the manifest does not list (or every scan, without one): one dossier each, with the defaults.
  for (const scan of scans) if (!listed.has(scan.rel)) singleFile(scan, null);
  return { dossiers, issues };
}
