// The tool's pure parts, without an API: the manifest and the plan made from it, dates, request
// chunks, the retry policy, idempotency keys, and the state file's atomic, coalesced, locked writes.
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseManifest, sniffDelimiter } from '../../cli/manifest.js';
import { buildPlan, normalizeReceivedAt, type Defaults } from '../../cli/plan.js';
import { chunkFiles } from '../../cli/ingest.js';
import { backoffMs, BACKOFF_CAP_MS, parseRetryAfter, RETRY_AFTER_CAP_MS, retryReasonFor } from '../../cli/retry.js';
import { addDocumentsKey, createDossierKey } from '../../cli/idempotency.js';
import { StateError, StateStore, defaultStatePath } from '../../cli/state.js';
import { table } from '../../cli/output.js';
import { pickLang } from '../../cli/i18n.js';
import type { ScanFile } from '../../cli/files.js';

const UNIT = '000.03.21.H54';
const NOW = new Date('2026-06-01T00:00:00Z');
const scan = (rel: string, size = 100): ScanFile => ({ rel, abs: `/scans/${rel}`, size, mtimeMs: 1 });
const defaults: Defaults = { unitCode: UNIT, channel: 'backlog', role: 'component' };
const temp: string[] = [];

afterAll(async () => {
  for (const d of temp) await rm(d, { recursive: true, force: true });
});

describe('manifest', () => {
  it('reads `,` `;` and tab files, a BOM, header names in any case or spacing, and ignores unknown columns', () => {
    expect(sniffDelimiter('file;group;role')).toBe(';');
    expect(sniffDelimiter('file\tgroup')).toBe('\t');
    expect(sniffDelimiter('file,group')).toBe(',');
    const m = parseManifest('\uFEFFFILE;Dossier Code;procedure_code;Applicant-Id;Ghi chú\r\n.\\a\\b.tif;;1.001193;034221659693;x\r\n\r\n;;;;\r\n');
    expect(m.unknownColumns).toEqual(['Ghi chú']);
    expect(m.rows).toEqual([{ line: 2, file: 'a/b.tif', dossierCode: '', group: '', procedureCode: '1.001193', applicantId: '034221659693', role: '', receivedAt: '' }]);
  });

  it('reports a row with an empty file cell or a broken quote by its line, and keeps the others', () => {
    const m = parseManifest('file,role\n,result\nsổ "A".tif,result\nb.tif,"component"\nc.tif,"open\n');
    expect(m.rows.map((r) => [r.line, r.file, r.role])).toEqual([
      [3, 'sổ "A".tif', 'result'],
      [4, 'b.tif', 'component'],
    ]);
    expect(m.issues.map((i) => [i.line, i.code])).toEqual([
      [5, 'CSV_QUOTE_NOT_CLOSED'],
      [2, 'EMPTY_FILE_CELL'],
    ]);
  });

  it('refuses a manifest without a file column', () => {
    expect(() => parseManifest('tep,nhom\na.tif,1\n')).toThrow(/tep, nhom/);
  });
});

describe('plan', () => {
  it('groups rows into dossiers; empty cells inherit from the group, then the command line', () => {
    const m = parseManifest(
      [
        'file,group,dossierCode,procedureCode,applicantId,role,receivedAt',
        'a.tif,g,,1.001193,034221659693,result,02/01/2020',
        'b.tif,g,,,,,',
        `c.tif,,${UNIT}-200103-0007,1.000894,,,2020-01-03`,
        `d.tif,h,${UNIT}-200103-0007,,,,`,
        'e.tif,,,,,,',
      ].join('\n'),
    );
    const plan = buildPlan(['a.tif', 'b.tif', 'c.tif', 'd.tif', 'e.tif', 'f.tif'].map((r) => scan(r)), m, { ...defaults, applicantId: '001090000001', procedureCode: '2.000001' }, NOW);
    expect(plan.issues).toEqual([]);
    const byId = Object.fromEntries(plan.dossiers.map((d) => [d.id, d]));
    expect(byId['group:g']!.fields).toEqual({ unitCode: UNIT, procedureCode: '1.001193', applicantId: '034221659693', channel: 'backlog', receivedAt: '2020-01-02T00:00:00+07:00' });
    expect(byId['group:g']!.files.map((f) => [f.scan.rel, f.role, f.line])).toEqual([
      ['a.tif', 'result', 2],
      ['b.tif', 'component', 3],
    ]);
    // A group that names a dossier code anywhere is that dossier.
    expect(byId[`code:${UNIT}-200103-0007`]!.files.map((f) => f.scan.rel)).toEqual(['c.tif', 'd.tif']);
    expect(byId[`code:${UNIT}-200103-0007`]!.fields).toMatchObject({ procedureCode: '1.000894', applicantId: '001090000001', dossierCode: `${UNIT}-200103-0007` });
    // A row of its own, and a scan the manifest does not list: one dossier each, with the defaults.
    expect(byId['file:e.tif']!.fields).toMatchObject({ procedureCode: '2.000001', applicantId: '001090000001' });
    expect(byId['file:f.tif']!.files[0]!.line).toBeNull();
  });

  it('reports conflicting groups, missing fields, bad values and unknown files, and plans the rest', () => {
    const m = parseManifest(
      [
        'file,group,dossierCode,procedureCode,applicantId,role,receivedAt',
        'a.tif,g,,1.001193,034221659693,,',
        'b.tif,g,,1.000894,,,',
        'c.tif,,,1.001193,,,',
        'd.tif,,,1001193,034221659693,,',
        `e.tif,,000.01.21.H54-200103-0001,1.001193,034221659693,,`,
        'f.tif,,,1.001193,034221659693,,2099-01-01',
        'zz.tif,,,1.001193,034221659693,,',
        'notes.docx,,,1.001193,034221659693,,',
        'k1.tif,k,X1,1.001193,034221659693,,',
        'ok.tif,,,1.001193,034221659693,,',
      ].join('\n'),
    );
    const files = ['a.tif', 'b.tif', 'c.tif', 'd.tif', 'e.tif', 'f.tif', 'k1.tif', 'ok.tif', 'loose.tif'].map((r) => scan(r));
    const plan = buildPlan(files, m, defaults, NOW);
    const issues = plan.issues.map((i) => [i.file ?? i.line, i.code, i.vars.field ?? '']);
    expect(issues).toEqual([
      ['f.tif', 'INVALID_RECEIVED_AT', ''],
      ['zz.tif', 'FILE_NOT_FOUND', ''],
      ['notes.docx', 'NOT_A_SCAN', ''],
      ['c.tif', 'MISSING_FIELD', 'applicantId'],
      ['d.tif', 'INVALID_FIELD', 'procedureCode'],
      ['a.tif', 'GROUP_CONFLICT', 'procedureCode'],
      ['b.tif', 'GROUP_CONFLICT', 'procedureCode'],
      ['e.tif', 'INVALID_FIELD', 'dossierCode'],
      ['k1.tif', 'INVALID_FIELD', 'dossierCode'],
      ['loose.tif', 'NOT_IN_MANIFEST', ''],
    ]);
    expect(plan.dossiers.map((d) => d.id)).toEqual(['file:ok.tif']);
  });

  it('refuses a dossier dated before any dossier-code scheme, naming the first one', () => {
    const m = parseManifest('file,procedureCode,applicantId,receivedAt\nold.tif,1.001193,034090001234,01/06/2017\n');
    const plan = buildPlan([scan('old.tif')], m, defaults, NOW);
    expect(plan.dossiers).toEqual([]);
    expect(plan.issues[0]).toMatchObject({ code: 'INVALID_FIELD', vars: { field: 'receivedAt' } });
    expect(String(plan.issues[0]!.vars.detail_en)).toMatch(/no dossier-code scheme was in force on that day \(the first starts 2018-11-23\)/);
  });

  it('reads dates as clerks write them, in Vietnam time, and refuses impossible or future ones', () => {
    expect(normalizeReceivedAt('7/3/2019', NOW)).toBe('2019-03-07T00:00:00+07:00');
    expect(normalizeReceivedAt('2019-03-07', NOW)).toBe('2019-03-07T00:00:00+07:00');
    expect(normalizeReceivedAt('2019-03-07 14:30', NOW)).toBe('2019-03-07T14:30:00+07:00');
    expect(normalizeReceivedAt('2019-03-07T14:30:00Z', NOW)).toBe('2019-03-07T14:30:00Z');
    for (const bad of ['31/02/2020', '2019-13-01', '07.03.2019', 'hôm qua', '2027-01-01']) expect(normalizeReceivedAt(bad, NOW), bad).toBeNull();
  });
});

describe('requests', () => {
  it('chunks a dossier under the per-request file and byte limits, in order', () => {
    const files = [10, 10, 10, 50, 5, 200].map((size, i) => ({ size, i }));
    expect(chunkFiles(files, 2, 60).map((c) => c.map((f) => f.i))).toEqual([[0, 1], [2, 3], [4], [5]]);
  });

  it('retries what a retry can fix, and honours Retry-After in seconds or as a date', () => {
    expect(retryReasonFor(503, 'QUEUE_FULL')).toBe('busy');
    expect(retryReasonFor(429, 'RATE_LIMITED')).toBe('busy');
    expect(retryReasonFor(500, 'INTERNAL')).toBe('server-error');
    expect(retryReasonFor(502, 'HTTP_502')).toBe('unreachable');
    expect(retryReasonFor(409, 'IDEMPOTENCY_CONFLICT')).toBe('in-progress');
    for (const [s, c] of [[409, 'DOSSIER_EXISTS'], [400, 'VALIDATION_FAILED'], [401, 'UNAUTHORIZED'], [413, 'FILE_TOO_LARGE'], [422, 'FILE_CORRUPT']] as const) {
      expect(retryReasonFor(s, c), c).toBeNull();
    }
    const now = Date.parse('2026-06-01T00:00:00Z');
    expect(parseRetryAfter('7', now)).toBe(7000);
    expect(parseRetryAfter('Mon, 01 Jun 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('86400', now)).toBe(RETRY_AFTER_CAP_MS);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
    expect(backoffMs(0, () => 0)).toBe(250);
    expect(backoffMs(3, () => 1)).toBe(4000);
    expect(backoffMs(40, () => 1)).toBe(BACKOFF_CAP_MS);
  });

  it('derives idempotency keys from content and destination, never from file names or time', () => {
    const fields = { unitCode: UNIT, procedureCode: '1.001193', applicantId: '034221659693', channel: 'postal' as const };
    const files = [{ sha256: 'a'.repeat(64), role: 'result' as const }];
    const k = createDossierKey(fields, files);
    expect(k).toMatch(/^sohoa-v1-[0-9a-f]{64}$/);
    expect(createDossierKey({ ...fields }, [{ ...files[0]! }])).toBe(k);
    expect(createDossierKey({ ...fields, applicantId: '001090000001' }, files)).not.toBe(k);
    expect(createDossierKey(fields, [{ ...files[0]!, role: 'component' }])).not.toBe(k);
    expect(createDossierKey({ ...fields, receivedAt: '2019-01-01T00:00:00+07:00' }, files)).not.toBe(k);
    expect(addDocumentsKey(`${UNIT}-200103-0001`, files)).not.toBe(k);
  });
});

describe('state file', () => {
  const entry = (n: number) => ({ sha256: String(n).padStart(64, '0'), size: n, mtimeMs: n, dossierCode: 'D', documentId: `doc-${n}`, duplicateOf: null, pages: 1, acceptedAt: 'now' });

  it('is replaced atomically, coalesces writes, and reopens with what was recorded', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'sohoa-state-'));
    temp.push(dir);
    const file = path.join(dir, 'batch.sohoa-state.json');
    const init = { apiUrl: 'http://api', unitCode: UNIT, folder: dir };
    const store = await StateStore.open(file, init);
    await Promise.all(Array.from({ length: 50 }, (_, i) => store.record([[`f${i}.tif`, entry(i)]], { id: `file:f${i}.tif`, code: 'D' })));
    await store.unlock();
    // No temporary file is left behind; the file parses and holds all fifty.
    expect((await readdir(dir)).sort()).toEqual(['batch.sohoa-state.json']);
    const again = await StateStore.open(file, init);
    expect(Object.keys(again.data.files)).toHaveLength(50);
    expect(again.accepted('f7.tif')?.documentId).toBe('doc-7');
    await again.unlock();
  });

  it('is used by one run at a time, takes over the lock of a killed run, and refuses another unit’s state', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'sohoa-state-'));
    temp.push(dir);
    const file = path.join(dir, 's.json');
    const init = { apiUrl: 'http://api', unitCode: UNIT, folder: dir };
    const first = await StateStore.open(file, init);
    await first.save();
    await expect(StateStore.open(file, init)).rejects.toMatchObject({ kind: 'locked' });
    await first.unlock();
    // A lock whose process is gone (SIGKILL) does not block the next run.
    const gone = spawn(process.execPath, ['-e', '0']);
    await new Promise((r) => gone.on('exit', r));
    await writeFile(`${file}.lock`, String(gone.pid));
    const next = await StateStore.open(file, init);
    await next.unlock();
    await expect(StateStore.open(file, { ...init, unitCode: '000.01.21.H54' })).rejects.toBeInstanceOf(StateError);
    await writeFile(file, '{"tool":"sohoa", "vers');
    await expect(StateStore.open(file, init)).rejects.toMatchObject({ kind: 'corrupt' });
    expect(defaultStatePath('/data/scans/2019/')).toBe('/data/scans/2019.sohoa-state.json');
  });
});

describe('output', () => {
  it('lines up Vietnamese text typed with combining marks, and picks the language from the locale', () => {
    const nfd = 'Giấy khai sinh'.normalize('NFD');
    expect(table(['Loại', 'Mã'], [[nfd, 'A'], ['x', 'B']]).split('\n')).toEqual(['Loại            Mã', '--------------  --', `${nfd}  A`, 'x               B']);
    expect(pickLang(undefined, { LANG: 'vi_VN.UTF-8' })).toBe('vi');
    expect(pickLang(undefined, { LANG: 'C.UTF-8' })).toBe('en');
    expect(pickLang('vi', { LANG: 'en_US.UTF-8' })).toBe('vi');
    expect(pickLang(undefined, { SOHOA_LANG: 'en', LANG: 'vi_VN' })).toBe('en');
  });
});
