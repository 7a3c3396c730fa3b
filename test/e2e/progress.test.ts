// The "Done when" of issue #10: a scripted month (October 2026) played through the public API: uploads
// across units and channels, reuse, a paper left in review, a failure, a unit closed mid-month and
// succeeded, a backlog paper and its estimate. The test keeps its own ledger of what it did and what
// became of each document, computes every figure from it without the service's code, and requires the
// JSON, the CSV and the XLSX to equal it: per unit, rolled up, per level, targets, gaps, 766 score.
// Also: scoping per role, asOf reproducing an earlier report, and the kept summaries equal to a recount.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { readdir, rename, mkdir } from 'node:fs/promises';
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from '../../services/app.js';
import { recomputedSummary, storedSummary } from '../../storage/catalog/progress.js';
import { ADMIN_KEY, DEV_CORPUS, REPO_ROOT, makeTestEnv, type TestEnv } from '../helpers/env.js';
import { Client, corpusFile, waitFor } from '../helpers/http.js';

const PROVINCE = '000.00.00.H54';
const D21 = '000.00.21.H54'; // huyện Đông Hưng (closed 2025-06-30, no successor)
const D22 = '000.00.22.H54';
const A = '000.01.21.H54'; // xã Đông Hợp: the successor
const B = '000.02.21.H54'; // xã Đông La: closed on 2026-10-15, succeeded by A
const C = '000.01.22.H54'; // xã Vũ Hội
const F = '000.05.22.H54'; // a commune added for the test, with no signing certificate: its papers fail
const DEPT = '000.00.01.H54'; // Sở Tư pháp
const PERIOD = '2026-10';

type Channel = 'desk' | 'postal' | 'online' | 'backlog';
interface LedgerDoc { id: string; role: 'component' | 'result'; status?: string; reused?: boolean }
interface LedgerDossier { code: string; unit: string; channel: Channel; receivedAt: string; docs: LedgerDoc[]; reuses: number }

const ledger: LedgerDossier[] = [];
let env: TestEnv;
let app: RunningApp;
let admin: Client;

const PROC = '1.001193';
const APPLICANT = '034221659693';
const scan = (name: string) => corpusFile(DEV_CORPUS, name);

async function receive(unit: string, channel: Channel, receivedAt: string, files: { name: string; role: 'component' | 'result' }[], by: Client = admin): Promise<LedgerDossier> {
  const fields = { unitCode: unit, procedureCode: PROC, applicantId: APPLICANT, channel, receivedAt };
  let res;
  if (files.length === 0) res = await by.json('POST', '/v1/dossiers', fields);
  else res = await by.upload('/v1/dossiers', { ...fields, roles: files.map((f) => f.role).join(',') }, await Promise.all(files.map((f) => scan(f.name))));
  expect([201, 202], JSON.stringify(res.body)).toContain(res.status);
  const d: LedgerDossier = {
    code: res.body.dossierCode,
    unit,
    channel,
    receivedAt,
    docs: (res.body.documents as { id: string }[]).map((x, i) => ({ id: x.id, role: files[i]!.role })),
    reuses: 0,
  };
  ledger.push(d);
  return d;
}

async function rest(id: string): Promise<string> {
  return waitFor(async () => {
    const r = await admin.json('GET', `/v1/documents/${id}`);
    return ['done', 'review', 'failed'].includes(r.body.status) ? (r.body.status as string) : null;
  }, 240_000, 200);
}

async function settle(d: LedgerDossier): Promise<void> {
  for (const doc of d.docs) doc.status = await rest(doc.id);
}

/** Reuse a done paper in a dossier (POST /v1/dossiers/{code}/reuse): a done copy joins the dossier, with a reuse event. */
async function reuse(d: LedgerDossier, documentId: string): Promise<void> {
  const res = await admin.json('POST', `/v1/dossiers/${encodeURIComponent(d.code)}/reuse`, { documentId });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const docs = (await admin.json('GET', `/v1/dossiers/${encodeURIComponent(d.code)}`)).body.documents as { id: string; status: string }[];
  const copies = docs.filter((x) => !d.docs.some((k) => k.id === x.id));
  expect(copies).toHaveLength(1);
  d.docs.push({ id: copies[0]!.id, role: 'component', status: copies[0]!.status, reused: true });
  d.reuses++;
}

// ---- The independent computation, from the ledger alone ----

const targets = JSON.parse(readFileSync(path.join(REPO_ROOT, 'schemas', 'targets.json'), 'utf8'));
const units = JSON.parse(readFileSync(path.join(REPO_ROOT, 'schemas', 'units.json'), 'utf8')).units as { code: string; level: string; parent: string | null }[];
const levelOf = (code: string) => (code === F ? 'commune' : units.find((u) => u.code === code)!.level);
const parentOf = (code: string) => (code === F ? D22 : units.find((u) => u.code === code)!.parent);
const vnDay = (iso: string) => new Date(new Date(iso).getTime() + 7 * 3600_000).toISOString().slice(0, 10);
const inPeriod = (d: LedgerDossier) => vnDay(d.receivedAt).startsWith(`${PERIOD}-`);
const heir = (code: string) => (code === B ? A : code);
const share = (n: number, d: number) => (d === 0 ? null : n / d);

function expected(dossiers: LedgerDossier[], level: string, year: number, yearFraction: number) {
  const digitized = (d: LedgerDossier) => d.docs.length > 0 && d.docs.every((x) => x.status === 'done');
  const results = (d: LedgerDossier) => d.docs.filter((x) => x.role === 'result');
  const received = dossiers.length;
  const nDig = dossiers.filter(digitized).length;
  const nReuse = dossiers.filter((d) => d.reuses > 0).length;
  const issued = dossiers.filter((d) => results(d).length > 0);
  const resDig = issued.filter((d) => results(d).every((x) => x.status === 'done')).length;
  const byChannel = { desk: 0, postal: 0, online: 0, backlog: 0 };
  for (const d of dossiers) byChannel[d.channel]++;
  const tDig = targets.digitizedResults[String(year)][level] as number;
  const prevDig = targets.digitizedResults[String(year - 1)]?.[level] ?? 0;
  const rv = (y: number) => { const v = targets.reuse[String(y)]; return v === undefined ? null : typeof v === 'number' ? v : v.value; };
  const tReu = rv(year) as number;
  const prevReu = rv(year - 1) ?? 0;
  const toDig = prevDig + (tDig - prevDig) * yearFraction;
  const toReu = prevReu + (tReu - prevReu) * yearFraction;
  const digRate = share(nDig, received);
  const reuRate = share(nReuse, received);
  // Whole dossiers: the smallest n with (done + n) / of >= t.
  const need = (t: number, done: number, of: number) => { let n = 0; while ((done + n) < t * of - 1e-9) n++; return n; };
  const scoreDig = digRate === null ? null : Math.min(1, digRate / targets.index766.digitizationFullScoreAt);
  const onTrackParts = [digRate === null ? null : digRate >= toDig - 1e-9, reuRate === null ? null : reuRate >= toReu - 1e-9].filter((x) => x !== null);
  return {
    dossiersReceived: received,
    byChannel,
    onlineShare: share(byChannel.online, received),
    dossiersDigitized: nDig,
    digitizationRate: digRate,
    dossiersWithReuse: nReuse,
    reuseRate: reuRate,
    resultsIssued: issued.length,
    resultsDigitized: resDig,
    resultDigitizationRate: share(resDig, issued.length),
    target: { digitization: tDig, reuse: tReu },
    onTrack: onTrackParts.length === 0 ? null : onTrackParts.every(Boolean),
    gap: { digitization: need(tDig, nDig, received), reuse: need(tReu, nReuse, received), results: need(tDig, resDig, issued.length) },
    score766: {
      digitization: scoreDig,
      reuse: reuRate === null ? null : Math.min(1, reuRate / targets.index766.reuseFullScoreAt),
      points: scoreDig === null ? null : scoreDig * targets.index766.digitizationMaxPoints,
      maxPoints: targets.index766.digitizationMaxPoints,
    },
  };
}

// October 2026 ends at 2026-11-01 00:00 in Vietnam; the plan year at 2027-01-01 00:00.
const YEAR_FRACTION =
  (Date.parse('2026-11-01T00:00:00+07:00') - Date.parse('2026-01-01T00:00:00+07:00')) /
  (Date.parse('2027-01-01T00:00:00+07:00') - Date.parse('2026-01-01T00:00:00+07:00'));

const close = (a: unknown, b: unknown) => expect(JSON.parse(JSON.stringify(a))).toEqual(JSON.parse(JSON.stringify(b)));
const pick = (item: Record<string, unknown>) => {
  const keys = ['dossiersReceived', 'byChannel', 'onlineShare', 'dossiersDigitized', 'digitizationRate', 'dossiersWithReuse', 'reuseRate', 'resultsIssued', 'resultsDigitized', 'resultDigitizationRate', 'target', 'onTrack', 'gap', 'score766'];
  return Object.fromEntries(keys.map((k) => [k, item[k]]));
};

let reportAtT1: { body: any; at: string } | null = null;
let deskC: Client;

beforeAll(async () => {
  env = await makeTestEnv();
  app = await startApp(env.config, 'all');
  admin = new Client(app.url!, ADMIN_KEY);

  // F: a commune whose certificate has not been issued yet (its development one is taken away).
  expect((await admin.json('POST', '/v1/units', { code: F, name: 'Ủy ban nhân dân xã Thử Nghiệm', level: 'commune', parentCode: D22, rural: true })).status).toBe(201);
  const unitsDir = path.join(env.dataDir, 'pki', 'units');
  const aside = path.join(env.dataDir, 'pki-aside');
  await mkdir(aside, { recursive: true });
  for (const f of (await readdir(unitsDir)).filter((n) => n.startsWith(F))) await rename(path.join(unitsDir, f), path.join(aside, f));
  app.ctx.signatures.reload();

  deskC = admin.withKey((await admin.json('POST', '/v1/api-keys', { role: 'desk', unitCode: C })).body.key);
  const gks = 'giay-khai-sinh-01.tif';
  // First wave: one scan read per unit (later copies of the same bytes in a unit reuse the reading).
  const a1 = await receive(A, 'desk', '2026-10-02T08:15:00+07:00', [{ name: gks, role: 'result' }]);
  const b1 = await receive(B, 'desk', '2026-10-06T09:00:00+07:00', [{ name: gks, role: 'result' }]);
  const c1 = await receive(C, 'online', '2026-10-08T10:00:00+07:00', [{ name: gks, role: 'result' }], deskC);
  const f1 = await receive(F, 'desk', '2026-10-14T14:00:00+07:00', [{ name: gks, role: 'result' }]);
  const a3 = await receive(A, 'postal', '2026-10-05T11:00:00+07:00', [{ name: 'unknown-giay-moi-01.jpg', role: 'component' }]);
  for (const d of [a1, b1, c1, f1, a3]) await settle(d);
  expect(a1.docs[0]!.status).toBe('done');
  expect(f1.docs[0]!.status).toBe('failed');
  expect(a3.docs[0]!.status).toBe('review');
  const b2 = await receive(B, 'desk', '2026-10-10T15:00:00+07:00', [{ name: gks, role: 'component' }]);
  await settle(b2);
  // B closes on the 15th and A succeeds it.
  expect((await admin.json('POST', `/v1/units/${B}/close`, { validTo: '2026-10-15', successorCode: A })).status).toBe(200);

  // A moment to reproduce later with asOf.
  const t1 = new Date().toISOString();
  reportAtT1 = { body: (await admin.json('GET', `/v1/progress?period=${PERIOD}`)).body, at: t1 };
  await new Promise((r) => setTimeout(r, 20)); // T1 strictly before anything that follows

  const a2 = await receive(A, 'online', '2026-10-03T08:00:00+07:00', [{ name: gks, role: 'component' }, { name: gks, role: 'result' }]);
  const a4 = await receive(A, 'desk', '2026-10-20T09:30:00+07:00', []);
  await reuse(a4, a1.docs[0]!.id);
  // The last evening of the month in Vietnam, and the first minutes of November (still October in UTC).
  const a5 = await receive(A, 'desk', '2026-10-31T23:30:00+07:00', [{ name: gks, role: 'result' }]);
  await reuse(a5, c1.docs[0]!.id);
  await receive(A, 'desk', '2026-11-01T00:10:00+07:00', []);
  const c2 = await receive(C, 'desk', '2026-10-12T08:00:00+07:00', [], deskC);
  const d1 = await receive(DEPT, 'online', '2026-10-09T08:00:00+07:00', []);
  await reuse(d1, c1.docs[0]!.id);
  await receive(DEPT, 'online', '2026-10-11T08:00:00+07:00', []);
  // An old result of 2019 digitized now, and A's estimate of how many such results it holds.
  const a7 = await receive(A, 'backlog', '2019-03-15T08:00:00+07:00', [{ name: gks, role: 'result' }]);
  for (const d of [a2, a5, a7, c2]) await settle(d);
  expect((await admin.json('PUT', `/v1/units/${A}/backlog-estimate`, { estimate: 10 })).status).toBe(200);
}, 600_000);

afterAll(async () => {
  await app?.stop();
  await env?.cleanup();
});

function expectedUnits() {
  const month = ledger.filter(inPeriod);
  const groups = new Map<string, LedgerDossier[]>();
  for (const d of month) groups.set(heir(d.unit), [...(groups.get(heir(d.unit)) ?? []), d]);
  return { month, groups };
}

describe('a scripted month', () => {
  it('JSON by unit equals the ledger, with the closed unit inside its successor and roll-ups to the province', async () => {
    const res = await admin.json('GET', `/v1/progress?period=${PERIOD}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.yearFraction).toBeCloseTo(YEAR_FRACTION, 12);
    const { month, groups } = expectedUnits();
    const items = new Map((res.body.items as { unitCode: string }[]).map((i) => [i.unitCode, i as Record<string, any>]));
    expect(items.has(B)).toBe(false);
    expect(items.get(A)!.includes).toEqual([B]);
    for (const [code, ds] of groups) close(pick(items.get(code)!), expected(ds, levelOf(code), 2026, YEAR_FRACTION));
    // A unit with nothing in the month still has its row, with no rates (never 0/0).
    expect(items.get('000.02.22.H54')).toMatchObject({ dossiersReceived: 0, digitizationRate: null, onTrack: null });
    // Roll-ups: a district carries its communes, the province everything.
    const rolled = (root: string) => month.filter((d) => {
      for (let u: string | null = heir(d.unit); u; u = parentOf(u)) if (u === root) return true;
      return false;
    });
    for (const root of [D21, D22, PROVINCE]) {
      const want = expected(rolled(root), 'commune', 2026, YEAR_FRACTION);
      const got = items.get(root)!.rollup;
      for (const k of ['dossiersReceived', 'dossiersDigitized', 'dossiersWithReuse', 'resultsIssued', 'resultsDigitized', 'digitizationRate', 'reuseRate', 'byChannel']) {
        close(got[k], (want as Record<string, unknown>)[k]);
      }
    }
    expect(res.body.total.dossiersReceived).toBe(month.length);
    // The backlog: A's old result against its estimate; C has none, and says so.
    expect(items.get(A)!.backlog).toEqual({ resultsDigitized: 1, estimate: 10, rate: 0.1, reason: null });
    expect(items.get(C)!.backlog).toEqual({ resultsDigitized: 0, estimate: null, rate: null, reason: 'NO_ESTIMATE' });
  });

  it('JSON by level, CSV and XLSX all equal the ledger', async () => {
    const { groups } = expectedUnits();
    const byLevel = await admin.json('GET', `/v1/progress?period=${PERIOD}&groupBy=level`);
    expect(byLevel.status).toBe(200);
    for (const level of ['department', 'commune']) {
      const ds = [...groups].filter(([code]) => levelOf(code) === level).flatMap(([, v]) => v);
      const item = byLevel.body.items.find((i: { level: string }) => i.level === level);
      close(pick(item), expected(ds, level, 2026, YEAR_FRACTION));
      expect(item.unitCode).toBeNull();
    }

    const csv = await admin.raw(`/v1/progress.csv?period=${PERIOD}`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/text\/csv; charset=utf-8/);
    const text = csv.bytes.toString('utf8');
    expect(text.charCodeAt(0)).toBe(0xfeff);
    const rows = parse(text.slice(1), { columns: true }) as Record<string, string>[];
    const num = (s: string | undefined) => (s === '' || s === undefined ? null : Number(s));
    for (const [code, ds] of groups) {
      const row = rows.find((r) => r['Mã đơn vị'] === code)!;
      const want = expected(ds, levelOf(code), 2026, YEAR_FRACTION);
      expect([num(row['Hồ sơ tiếp nhận']), num(row['Hồ sơ đã số hóa']), num(row['Tỷ lệ số hóa hồ sơ']), num(row['Hồ sơ có tái sử dụng']), num(row['Tỷ lệ tái sử dụng']),
        num(row['Hồ sơ có kết quả']), num(row['Kết quả đã số hóa']), num(row['Cần số hóa thêm (hồ sơ)']), num(row['Cần tái sử dụng thêm (hồ sơ)']), num(row['Điểm 766 số hóa']), num(row['Trực tuyến'])])
        .toEqual([want.dossiersReceived, want.dossiersDigitized, want.digitizationRate, want.dossiersWithReuse, want.reuseRate,
          want.resultsIssued, want.resultsDigitized, want.gap.digitization, want.gap.reuse, want.score766.points, want.byChannel.online]);
      expect(row['Đúng tiến độ']).toBe(want.onTrack === null ? '' : want.onTrack ? 'có' : 'không');
    }

    const xlsx = await admin.raw(`/v1/progress.xlsx?period=${PERIOD}`);
    expect(xlsx.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.bytes as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Tổng hợp', 'Cấp tỉnh', 'Cấp sở, ban, ngành', 'Cấp huyện', 'Cấp xã']);
    const sheetRows = (name: string) => {
      const ws = wb.getWorksheet(name)!;
      const headers = (ws.getRow(1).values as unknown[]).slice(1) as string[];
      const out: Record<string, unknown>[] = [];
      ws.eachRow((row, n) => {
        if (n === 1) return;
        const v = (row.values as unknown[]).slice(1);
        out.push(Object.fromEntries(headers.map((h, i) => [h, v[i] ?? null])));
      });
      return { ws, out };
    };
    const communes = sheetRows('Cấp xã');
    const rateCol = communes.ws.getColumn(12);
    expect(rateCol.numFmt ?? communes.ws.getRow(2).getCell(12).numFmt).toBe('0.0%');
    for (const [code, ds] of groups) {
      const sheet = levelOf(code) === 'commune' ? communes : sheetRows('Cấp sở, ban, ngành');
      const row = sheet.out.find((r) => r['Mã đơn vị'] === code)!;
      const want = expected(ds, levelOf(code), 2026, YEAR_FRACTION);
      expect([row['Hồ sơ tiếp nhận'], row['Hồ sơ đã số hóa'], row['Tỷ lệ số hóa hồ sơ'], row['Tỷ lệ tái sử dụng'], row['Cần số hóa thêm (hồ sơ)'], row['Điểm 766 số hóa']])
        .toEqual([want.dossiersReceived, want.dossiersDigitized, want.digitizationRate, want.reuseRate, want.gap.digitization, want.score766.points]);
    }
    const summary = sheetRows('Tổng hợp').out.find((r) => r['Cấp'] === 'commune')!;
    const communeWant = expected([...groups].filter(([c]) => levelOf(c) === 'commune').flatMap(([, v]) => v), 'commune', 2026, YEAR_FRACTION);
    expect([summary['Hồ sơ tiếp nhận'], summary['Tỷ lệ số hóa hồ sơ'], summary['Cần tái sử dụng thêm (hồ sơ)']]).toEqual([communeWant.dossiersReceived, communeWant.digitizationRate, communeWant.gap.reuse]);
  });

  it('scopes: a leader sees its subtree, a desk key its unit, a postal key nothing, none another unit', async () => {
    const key = async (role: string, unitCode: string) => admin.withKey((await admin.json('POST', '/v1/api-keys', { role, unitCode })).body.key);
    const leader = await key('leader', D21);
    const lr = await leader.json('GET', `/v1/progress?period=${PERIOD}`);
    expect(lr.status).toBe(200);
    const codes = lr.body.items.map((i: { unitCode: string }) => i.unitCode);
    expect(codes).toContain(A);
    expect(codes).not.toContain(C);
    expect(lr.body.total.dossiersReceived).toBe(ledger.filter((d) => inPeriod(d) && [A, B].includes(d.unit)).length);
    expect((await leader.json('GET', `/v1/progress?period=${PERIOD}&unitCode=${C}`)).status).toBe(403);

    const desk = await key('desk', C);
    const dr = await desk.json('GET', `/v1/progress?period=${PERIOD}`);
    expect(dr.body.items.map((i: { unitCode: string }) => i.unitCode)).toEqual([C]);
    expect(dr.body.total.dossiersReceived).toBe(ledger.filter((d) => inPeriod(d) && d.unit === C).length);
    const postal = await key('postal', C);
    expect((await postal.json('GET', `/v1/progress?period=${PERIOD}`)).status).toBe(403);
    // Asking for the closed unit gives its successor, where its history is.
    const one = await admin.json('GET', `/v1/progress?period=${PERIOD}&unitCode=${B}`);
    expect(one.body.items.map((i: { unitCode: string }) => i.unitCode)).toEqual([A]);
    const docs = await admin.json('GET', '/docs/json');
    expect(Object.keys(docs.body.paths)).toEqual(expect.arrayContaining(['/v1/progress', '/v1/progress.csv', '/v1/progress.xlsx', '/v1/units/{code}/backlog-estimate']));
    const bad = await admin.json('GET', '/v1/progress?period=2026-13');
    expect([bad.status, bad.body.error.code, bad.body.error.field]).toEqual([400, 'VALIDATION_FAILED', 'period']);
  });

  it('operations: time to done, the review queue, failures by code, desk productivity', async () => {
    const month = await admin.json('GET', `/v1/progress?period=${PERIOD}&include=operations`);
    expect(month.status, JSON.stringify(month.body)).toBe(200);
    const ops = new Map(month.body.items.map((i: any) => [i.unitCode, i.operations]));
    expect((ops.get(F) as any).failures).toEqual({ SIGNER_MISSING: 1 });
    expect((ops.get(A) as any).review.waiting).toBe(1);
    expect((ops.get(A) as any).review.oldestSeconds).toBeGreaterThan(0);
    // C's dossiers came in through one desk key; a month of 31 days, annualized; C is rural.
    const days = 31 * 86400_000;
    expect((ops.get(C) as any).deskProductivity).toEqual({ deskKeys: 1, dossiers: 2, perKeyPerYear: expect.closeTo(2 * (365.25 * 86400_000) / days, 9), target: 1200 });

    // Papers were read and signed this month (Vietnam calendar): their time from receipt to done.
    const thisMonth = vnDay(new Date().toISOString()).slice(0, 7);
    const now = await admin.json('GET', `/v1/progress?period=${thisMonth}&unitCode=${A}&include=operations`);
    const seconds: number[] = [];
    for (const d of ledger.filter((x) => heir(x.unit) === A)) {
      for (const doc of d.docs.filter((x) => !x.reused && x.status === 'done')) {
        const t = (await admin.json('GET', `/v1/documents/${doc.id}`)).body.timestamps;
        if (vnDay(t.done).startsWith(thisMonth)) seconds.push((Date.parse(t.done) - Date.parse(t.received)) / 1000);
      }
    }
    seconds.sort((a, b) => a - b);
    const pct = (p: number) => { const pos = p * (seconds.length - 1); const lo = Math.floor(pos); return seconds[lo]! + (seconds[Math.ceil(pos)]! - seconds[lo]!) * (pos - lo); };
    const proc = now.body.items.find((i: any) => i.unitCode === A).operations.processing;
    expect(proc.documents).toBe(seconds.length);
    expect(seconds.length).toBeGreaterThan(3);
    expect(proc.p50Seconds).toBeCloseTo(pct(0.5), 2);
    expect(proc.p95Seconds).toBeCloseTo(pct(0.95), 2);
  });

  it('asOf reproduces the report as it stood, and the kept summaries equal a recount', async () => {
    const again = await admin.json('GET', `/v1/progress?period=${PERIOD}&asOf=${encodeURIComponent(reportAtT1!.at)}`);
    expect(again.status).toBe(200);
    expect(again.body.source).toBe('recount');
    const strip = (b: any) => b.items.map((i: any) => ({ ...i, backlog: undefined }));
    close(strip(again.body), strip(reportAtT1!.body));
    const sort = (rows: any[]) => rows.map((r) => JSON.stringify(r)).sort();
    expect(sort(await storedSummary(app.ctx.db))).toEqual(sort(await recomputedSummary(app.ctx.db)));
  });
});
