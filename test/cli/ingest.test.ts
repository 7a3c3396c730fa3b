// `sohoa ingest` as a child process against the real API (in-process, intake only: acceptance is what
// these tests check, so no OCR runs): a folder with a manifest, a second run that sends nothing, bad
// CSV rows and refused scans that do not stop the batch, Ctrl-C and SIGKILL (with an answer lost in
// flight) and resume with every scan stored exactly once, back-pressure honoured, and exit codes.
import { createHash } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startApp, type RunningApp } from '../../services/app.js';
import { ADMIN_KEY, BAD_CORPUS, DEV_CORPUS, makeTestEnv, type TestEnv } from '../helpers/env.js';
import { Client } from '../helpers/http.js';
import { APPLICANT, PROCEDURE, UNIT, runCli, scanFolder, startCli, startProxy, type Proxy } from './helpers.js';

// Each test runs the tool several times as a child process; on a busy machine each start costs seconds.
vi.setConfig({ testTimeout: 300_000 });

let env: TestEnv;
let app: RunningApp;
let admin: Client;
let key: string;
let cliEnv: Record<string, string>;
let posts = 0;
const toClean: string[] = [];

const dev = (name: string) => path.join(DEV_CORPUS, name);
const sha = async (file: string) => createHash('sha256').update(await readFile(file)).digest('hex');

async function readReport(file: string): Promise<Record<string, string>[]> {
  return parse(await readFile(file, 'utf8'), { columns: true, bom: true }) as Record<string, string>[];
}

async function folder(files: Record<string, string>): Promise<string> {
  const dir = await scanFolder(files);
  toClean.push(dir, `${dir}.sohoa-state.json`);
  return dir;
}

beforeAll(async () => {
  env = await makeTestEnv();
  app = await startApp(env.config, 'api');
  app.server!.server.on('request', (req: { method?: string }) => {
    if (req.method === 'POST') posts++;
  });
  admin = new Client(app.url!, ADMIN_KEY);
  const created = await admin.json('POST', '/v1/api-keys', { role: 'postal', unitCode: UNIT });
  key = created.body.key;
  cliEnv = { SOHOA_URL: app.url!, SOHOA_KEY: key };
}, 300_000); // start-up on a busy machine (migrations, development PKI) can be slow

afterAll(async () => {
  await app?.stop();
  await env?.cleanup();
  for (const p of toClean) await rm(p, { recursive: true, force: true });
});

describe('sohoa ingest', () => {
  it('ingests a folder with a manifest, writes the report, and a second run sends nothing', async () => {
    const dir = await folder({
      '2019/hs-001/to-khai.tif': dev('to-khai-dang-ky-khai-sinh-02.tif'),
      '2019/hs-001/giay-khai-sinh.jpg': dev('giay-khai-sinh-02.jpg'),
      '2019/hs-002/ket-hon.pdf': dev('giay-chung-nhan-ket-hon-02.pdf'),
      'le/cu-tru.tif': dev('giay-xac-nhan-thong-tin-cu-tru-01.tif'),
      'ghi-chu.txt': dev('manifest.json'),
    });
    const manifest = path.join(dir, 'batch.csv');
    await writeFile(
      manifest,
      [
        'file,group,dossierCode,procedureCode,applicantId,role,receivedAt,ghi chú',
        '2019/hs-001/to-khai.tif,hs-001,,1.001193,034221659693,component,15/03/2019,tờ khai',
        '2019/hs-001/giay-khai-sinh.jpg,hs-001,,,,result,,',
        `2019/hs-002/ket-hon.pdf,,${UNIT}-190320-0042,1.000894,034221659693,result,2019-03-20,`,
      ].join('\r\n'),
    );
    const report = path.join(dir, '..', `${path.basename(dir)}-report.csv`);
    toClean.push(report);
    const args = ['ingest', dir, '--unit', UNIT, '--manifest', manifest, '--procedure', PROCEDURE, '--applicant', APPLICANT, '--report', report, '--json'];

    const before = posts;
    const first = await runCli(args, cliEnv);
    expect(first.code, first.stderr).toBe(0);
    const out = JSON.parse(first.stdout);
    expect(out.summary).toMatchObject({ scans: 4, ignoredFiles: 2, accepted: 4, acceptedThisRun: 4, acceptedBefore: 0, refused: 0, invalidRows: 0, notSent: 0 });
    // One request per dossier: hs-001 (2 files), the coded dossier, the loose scan.
    expect(posts - before).toBe(3);

    const rows = await readReport(report);
    expect(rows.map((r) => r.file)).toEqual(['2019/hs-001/giay-khai-sinh.jpg', '2019/hs-001/to-khai.tif', '2019/hs-002/ket-hon.pdf', 'le/cu-tru.tif']);
    const [gks, tk, kh, ct] = rows as [Record<string, string>, Record<string, string>, Record<string, string>, Record<string, string>];
    expect(gks.dossierCode).toBe(tk.dossierCode);
    expect(gks.dossierCode).toMatch(new RegExp(`^${UNIT.replace(/\./g, '\\.')}-190315-\\d{4}$`));
    expect(kh.dossierCode).toBe(`${UNIT}-190320-0042`);
    expect(ct.dossierCode).not.toBe(gks.dossierCode);
    for (const r of rows) {
      expect(r.documentId).toMatch(/^[0-9a-f-]{36}$/);
      expect(['queued', 'received']).toContain(r.status);
      expect(r.error).toBe('');
    }
    expect(gks.line).toBe('3');
    expect(ct.line).toBe('');

    // The catalog holds what the manifest said.
    const hs1 = await admin.json('GET', `/v1/dossiers/${gks.dossierCode}`);
    expect(hs1.body).toMatchObject({ unitCode: UNIT, procedureCode: '1.001193', applicantId: APPLICANT, channel: 'backlog' });
    expect(hs1.body.receivedAt.slice(0, 10)).toBe('2019-03-14'); // 00:00 in Vietnam is 17:00 UTC the day before
    const roles = Object.fromEntries(hs1.body.documents.map((d: { id: string; role: string }) => [d.id, d.role]));
    expect(roles[gks.documentId!]).toBe('result');
    expect(roles[tk.documentId!]).toBe('component');
    const khDoc = await admin.json('GET', `/v1/documents/${kh.documentId}`);
    expect(khDoc.body.sha256).toBe(await sha(dev('giay-chung-nhan-ket-hon-02.pdf')));

    // The state file beside the folder records each scan's checksum and document.
    const state = JSON.parse(await readFile(`${dir}.sohoa-state.json`, 'utf8'));
    expect(Object.keys(state.files).sort()).toEqual(rows.map((r) => r.file));
    expect(state.files['le/cu-tru.tif'].sha256).toBe(await sha(dev('giay-xac-nhan-thong-tin-cu-tru-01.tif')));
    expect(state.files['le/cu-tru.tif'].documentId).toBe(ct.documentId);

    const mark = posts;
    const second = await runCli(args, cliEnv);
    expect(second.code, second.stderr).toBe(0);
    expect(posts - mark).toBe(0);
    expect(JSON.parse(second.stdout).summary).toMatchObject({ accepted: 4, acceptedThisRun: 0, acceptedBefore: 4 });
    const again = await readReport(report);
    expect(again.map((r) => [r.file, r.documentId])).toEqual(rows.map((r) => [r.file, r.documentId]));
  });

  it('reports bad CSV rows and refused scans with the reason and goes on with the rest', async () => {
    const dir = await folder({
      'a.tif': dev('giay-phep-xay-dung-01.tif'),
      'b.tif': dev('giay-xac-nhan-tinh-trang-hon-nhan-02.tif'),
      'c.tif': dev('giay-chung-nhan-quyen-su-dung-dat-01.tif'),
      'd.tif': dev('giay-chung-nhan-dang-ky-ho-kinh-doanh-03.tif'),
      'g1.tif': dev('giay-khai-sinh-01.tif'),
      'g2.tif': dev('to-khai-dang-ky-khai-sinh-02.tif'),
      'hong/cat-cut.jpg': path.join(BAD_CORPUS, 'truncated.jpg'),
      'hong/rong.jpg': path.join(BAD_CORPUS, 'empty.jpg'),
      'hong/ten-gia.pdf': path.join(BAD_CORPUS, 'exe-named.pdf'),
    });
    const manifest = path.join(dir, 'batch.csv');
    // `;` as a spreadsheet in a Vietnamese locale saves it, and a BOM.
    await writeFile(
      manifest,
      '\uFEFF' +
        [
          'File;Procedure Code;Applicant ID;Role;Received At;Group',
          'a.tif;1.001193;034221659693;component;2020-01-02;',
          'b.tif;1.001193;034221659693;signature;;', // bad role
          'c.tif;1.001193;034299000001;;;', // bad applicant id (born in 2099)
          'd.tif;1.001193;034221659693;;31/02/2020;', // no 31 February
          'khong-co.tif;1.001193;034221659693;;;', // no such file
          'a.tif;1.001193;034221659693;;;', // listed twice
          'g1.tif;1.001193;034221659693;;;nhom', // a group whose rows disagree
          'g2.tif;2.000001;034221659693;;;nhom',
          'hong/cat-cut.jpg;1.001193;034221659693;;;',
          'hong/rong.jpg;1.001193;034221659693;;;',
          'hong/ten-gia.pdf;1.001193;034221659693;;;',
          'x.tif;"1.001193;;;', // unclosed quote: the rest of the file is one broken record
        ].join('\n'),
    );
    const report = path.join(dir, 'report.csv');
    const args = ['ingest', dir, '--unit', UNIT, '--manifest', manifest, '--report', report, '--concurrency', '2'];
    // A dry run finds the same problems and sends nothing (it needs no API at all).
    const mark = posts;
    const dry = await runCli([...args, '--dry-run', '--json'], {});
    expect(dry.code, dry.stderr).toBe(3);
    expect(JSON.parse(dry.stdout)).toMatchObject({ dryRun: true, dossiers: 4, files: 4 });
    expect(JSON.parse(dry.stdout).issues).toHaveLength(8);
    expect(posts).toBe(mark);

    const res = await runCli(args, cliEnv);
    expect(res.code, res.stderr).toBe(3);
    const rows = await readReport(report);
    const by = (file: string, line: string) => rows.find((r) => r.file === file && r.line === line);
    expect(by('a.tif', '2')).toMatchObject({ status: 'queued', error: '' });
    expect(by('b.tif', '3')).toMatchObject({ status: 'invalid', documentId: '' });
    expect(by('b.tif', '3')!.error).toMatch(/^INVALID_ROLE: role must be component or result \(got signature\)/);
    expect(by('c.tif', '4')!.error).toMatch(/^INVALID_FIELD: applicantId: /);
    expect(by('d.tif', '5')!.error).toMatch(/^INVALID_RECEIVED_AT: .*31\/02\/2020/);
    expect(by('khong-co.tif', '6')!.error).toMatch(/^FILE_NOT_FOUND/);
    expect(by('a.tif', '7')!.error).toMatch(/^DUPLICATE_ROW: .*line 2/);
    expect(by('g1.tif', '8')!.error).toMatch(/^GROUP_CONFLICT: procedureCode differs within dossier nhom \(lines 8, 9\)/);
    expect(by('g2.tif', '9')!.status).toBe('invalid');
    expect(by('hong/cat-cut.jpg', '10')).toMatchObject({ status: 'refused', documentId: '' });
    expect(by('hong/cat-cut.jpg', '10')!.error).toMatch(/^FILE_CORRUPT: /);
    expect(by('hong/rong.jpg', '11')!.error).toMatch(/^FILE_EMPTY: /);
    expect(by('hong/ten-gia.pdf', '12')!.error).toMatch(/^UNSUPPORTED_MEDIA_TYPE: /);
    expect(rows.find((r) => r.line === '13')!.error).toMatch(/^CSV_QUOTE_NOT_CLOSED: a quote opened on this line is never closed/);
    // Scans that the bad rows point to are still listed (not sent), and every row is accounted for.
    expect(rows.filter((r) => r.status === 'queued').map((r) => r.file)).toEqual(['a.tif']);
    expect(res.stdout).toMatch(/Refused\s+3 \(/);
    expect(res.stdout).toMatch(/Scans\s+9\n/);
    expect(res.stdout).toMatch(/Bad CSV rows\s+8 \(GROUP_CONFLICT 2, /);
    expect(res.stderr).toMatch(/refused hong\/cat-cut\.jpg: FILE_CORRUPT/);
  });

  it('resumes after Ctrl-C and after SIGKILL with an answer lost in flight: every scan stored exactly once', async () => {
    const names = [
      'giay-khai-sinh-01.tif',
      'to-khai-dang-ky-khai-sinh-02.tif',
      'giay-phep-xay-dung-01.tif',
      'giay-xac-nhan-thong-tin-cu-tru-01.tif',
      'giay-xac-nhan-tinh-trang-hon-nhan-02.tif',
      'giay-chung-nhan-quyen-su-dung-dat-01.tif',
      'giay-chung-nhan-dang-ky-ho-kinh-doanh-03.tif',
      'unknown-giay-moi-01.jpg',
      'giay-khai-sinh-02.jpg',
      'giay-chung-nhan-dang-ky-doanh-nghiep-02.pdf',
    ];
    const dir = await folder(Object.fromEntries(names.map((n) => [`kho/${n}`, dev(n)])));
    const unit = '000.01.21.H54'; // a unit of its own, so the catalog check sees only this batch
    const proxy: Proxy = await startProxy(app.url!);
    try {
      const unitKey = (await admin.json('POST', '/v1/api-keys', { role: 'postal', unitCode: unit })).body.key;
      const envP = { SOHOA_URL: proxy.url, SOHOA_KEY: unitKey };
      const args = ['ingest', dir, '--unit', unit, '--procedure', PROCEDURE, '--applicant', APPLICANT, '--channel', 'postal', '--concurrency', '1', '--verbose'];

      // 1. Ctrl-C after two acceptances: exit 130, the state says how to go on.
      const one = startCli(args, envP);
      await one.waitForLines(/^accepted /, 2);
      one.child.kill('SIGINT');
      expect(await one.exited).toBe(130);
      expect(one.stderr()).toMatch(/run the same command again/);
      const afterOne = Object.keys(JSON.parse(await readFile(`${dir}.sohoa-state.json`, 'utf8')).files).length;
      expect(afterOne).toBeGreaterThanOrEqual(2);

      // 2. The API stores the next scan but its answer never arrives; then the tool is killed.
      const heldAt = proxy.postLog.length + 2;
      proxy.setRule({ onPost: (n) => (n === heldAt ? 'hold' : 'pass') });
      const two = startCli(args, envP);
      await proxy.held;
      two.child.kill('SIGKILL');
      await two.exited;
      const lost = proxy.postLog[heldAt - 1]!;
      expect(lost.outcome).toBe('hold');
      proxy.setRule({});

      // 3. The same command again finishes the batch.
      const three = await runCli([...args, '--json'], envP);
      expect(three.code, three.stderr).toBe(0);
      const summary = JSON.parse(three.stdout).summary;
      expect(summary.accepted).toBe(names.length);
      expect(summary.acceptedThisRun + summary.acceptedBefore).toBe(names.length);
      // The scan whose answer was lost went again with the same key and got the stored answer back.
      expect(proxy.postLog.filter((p) => p.idempotencyKey === lost.idempotencyKey).length).toBe(2);

      const { rows } = await app.ctx.db.query<{ sha256: string; n: number }>(
        'SELECT sha256, count(*)::int AS n FROM documents WHERE unit_code = $1 GROUP BY sha256',
        [unit],
      );
      const counts = Object.fromEntries(rows.map((r) => [r.sha256, r.n]));
      for (const n of names) expect(counts[await sha(dev(n))], n).toBe(1);
      expect(rows.length).toBe(names.length);
      const dossiers = await app.ctx.db.query<{ n: number }>('SELECT count(*)::int AS n FROM dossiers WHERE unit_code = $1', [unit]);
      expect(dossiers.rows[0]!.n).toBe(names.length);

      // 4. And once more: nothing to send.
      const mark = proxy.posts();
      const four = await runCli(args, envP);
      expect(four.code, four.stderr).toBe(0);
      expect(proxy.posts() - mark).toBe(0);
    } finally {
      await proxy.close();
    }
  });

  it('honours 503 QUEUE_FULL with Retry-After before sending anything else', async () => {
    const dir = await folder({ 'p1.tif': dev('giay-khai-sinh-01.tif'), 'p2.tif': dev('giay-phep-xay-dung-01.tif') });
    const proxy = await startProxy(app.url!);
    try {
      proxy.setRule({
        onPost: (n) =>
          n <= 2 ? { status: 503, headers: { 'retry-after': '1' }, body: { error: { code: 'QUEUE_FULL', message: 'Hàng đợi đầy / Queue full' } } } : 'pass',
      });
      const res = await runCli(['ingest', dir, '--unit', UNIT, '--procedure', PROCEDURE, '--applicant', APPLICANT, '--concurrency', '1'], {
        SOHOA_URL: proxy.url,
        SOHOA_KEY: key,
      });
      expect(res.code, res.stderr).toBe(0);
      expect(res.stderr).toMatch(/API busy \(503 QUEUE_FULL\), waiting 1\.0 s as asked/);
      const log = proxy.postLog;
      expect(log.map((p) => p.outcome)).toEqual(['503', '503', 'pass', 'pass']);
      for (const i of [1, 2]) expect(log[i]!.at - log[i - 1]!.at).toBeGreaterThanOrEqual(990);
    } finally {
      await proxy.close();
    }
  });

  it('reports a dossier whose request keeps failing with 500 after a few tries, and goes on with the batch', async () => {
    const dir = await folder({ 'p1.tif': dev('giay-khai-sinh-01.tif'), 'p2.tif': dev('giay-phep-xay-dung-01.tif') });
    const proxy = await startProxy(app.url!);
    try {
      proxy.setRule({ onPost: (n) => (n <= 4 ? { status: 500, body: { error: { code: 'INTERNAL', message: 'Lỗi hệ thống / Internal error' } } } : 'pass') });
      const report = path.join(dir, 'r.csv');
      const res = await runCli(['ingest', dir, '--unit', UNIT, '--procedure', PROCEDURE, '--applicant', APPLICANT, '--concurrency', '1', '--report', report], {
        SOHOA_URL: proxy.url,
        SOHOA_KEY: key,
      });
      expect(res.code, res.stderr).toBe(3);
      expect(proxy.postLog.map((p) => p.outcome)).toEqual(['500', '500', '500', '500', 'pass']);
      const rows = await readReport(report);
      expect(rows.map((r) => [r.file, r.status, (r.error ?? '').split(':')[0]])).toEqual([
        ['p1.tif', 'refused', 'INTERNAL'],
        ['p2.tif', 'queued', ''],
      ]);
    } finally {
      await proxy.close();
    }
  });
});

describe('sohoa ingest against the API’s own back-pressure', () => {
  it('waits on 503 QUEUE_FULL as asked, gives up after --retry-for with exit 7, and resumes once the queue drains', async () => {
    const small = await makeTestEnv({ MAX_QUEUED_JOBS: '2', QUEUE_RETRY_AFTER_S: '1' });
    const api = await startApp(small.config, 'api'); // no workers: nothing leaves the queue unless the test drains it
    const names = ['giay-khai-sinh-01.tif', 'giay-phep-xay-dung-01.tif'];
    const dir = await folder(Object.fromEntries(names.map((n) => [n, dev(n)])));
    const queue = new Queue('ingest', { connection: { url: small.config.REDIS_URL }, prefix: small.config.QUEUE_PREFIX });
    try {
      // The pipeline is already full when the batch starts.
      await queue.addBulk([{ name: 'backlog-1', data: {} }, { name: 'backlog-2', data: {} }]);
      const env2 = { SOHOA_URL: api.url!, SOHOA_KEY: ADMIN_KEY };
      const args = ['ingest', dir, '--unit', UNIT, '--procedure', PROCEDURE, '--applicant', APPLICANT, '--concurrency', '1', '--json'];
      const full = await runCli([...args, '--retry-for', '4'], env2);
      expect(full.code, full.stderr).toBe(7);
      expect(full.stderr).toMatch(/API busy \(503 QUEUE_FULL\), waiting 1\.0 s as asked/);
      const first = JSON.parse(full.stdout);
      // The API refuses before reading the upload and closes the connection, so the last try may
      // see the 503 or only the closed connection.
      expect(['QUEUE_FULL', 'UNREACHABLE']).toContain(first.error.code);
      expect(first.summary).toMatchObject({ accepted: 0, notSent: names.length });

      await queue.drain(); // the workers caught up
      const rest = await runCli(args, env2);
      expect(rest.code, rest.stderr).toBe(0);
      expect(JSON.parse(rest.stdout).summary).toMatchObject({ accepted: names.length, acceptedThisRun: names.length });
      const { rows } = await api.ctx.db.query<{ n: number }>('SELECT count(*)::int AS n FROM documents');
      expect(rows[0]!.n).toBe(names.length);
    } finally {
      await queue.close();
      await api.stop();
      await small.cleanup();
    }
  });
});

describe('exit codes and other commands', () => {
  it('usage errors exit 2, a refused key 4, an unknown document 5, a refused upload 6, no API 7', async () => {
    const dir = await folder({ 'a.tif': dev('giay-khai-sinh-01.tif') });
    expect((await runCli(['ingest', dir, '--unit', UNIT], {})).code).toBe(2); // no SOHOA_URL
    expect((await runCli(['ingest', dir, '--unit', '12.34', '--procedure', PROCEDURE, '--applicant', APPLICANT], cliEnv)).code).toBe(2);
    expect((await runCli(['ingest', `${dir}-missing`, '--unit', UNIT], cliEnv)).code).toBe(2);
    expect((await runCli(['ingest', dir, '--unit', UNIT, '--concurrency', '0'], cliEnv)).code).toBe(2);
    expect((await runCli(['frobnicate'], cliEnv)).code).toBe(2);

    const badKey = await runCli(['ingest', dir, '--unit', UNIT, '--procedure', PROCEDURE, '--applicant', APPLICANT, '--state', `${dir}/../bk.json`], { ...cliEnv, SOHOA_KEY: 'mck_wrong' });
    expect(badKey.code).toBe(4);
    expect(badKey.stderr).toMatch(/UNAUTHORIZED/);

    const missing = await runCli(['status', '00000000-0000-4000-8000-000000000000', '--json'], cliEnv);
    expect(missing.code).toBe(5);
    expect(JSON.parse(missing.stdout).error.code).toBe('NOT_FOUND');

    const refused = await runCli(['upload', path.join(BAD_CORPUS, 'garbage.tif'), '--unit', UNIT, '--procedure', PROCEDURE, '--applicant', APPLICANT], cliEnv);
    expect(refused.code).toBe(6);
    expect(refused.stderr).toMatch(/FILE_CORRUPT/);

    const down = await runCli(['status', `${UNIT}-190315-0001`, '--url', 'http://127.0.0.1:9', '--retry-for', '1'], cliEnv);
    expect(down.code).toBe(7);
    expect(down.stderr).toMatch(/Could not reach the API/);

    const vi = await runCli(['status', `${UNIT}-190315-0001`, '--url', 'http://127.0.0.1:9', '--retry-for', '0', '--lang', 'vi'], cliEnv);
    expect(vi.stderr).toMatch(/Không liên lạc được với API/);
  });

  it('upload sends one dossier with several files (a retry stores nothing twice), and status shows it', async () => {
    const files = [dev('giay-khai-sinh-01.tif'), dev('to-khai-dang-ky-khai-sinh-02.tif')];
    const args = ['upload', ...files, '--unit', UNIT, '--procedure', PROCEDURE, '--applicant', APPLICANT, '--roles', 'result,component', '--received-at', '01/06/2023', '--json'];
    const first = await runCli(args, cliEnv);
    expect(first.code, first.stderr).toBe(0);
    const sent = JSON.parse(first.stdout);
    expect(sent.dossierCode).toMatch(/-230601-\d{4}$/);
    expect(sent.documents).toHaveLength(2);
    // The same command again is the same request (same Idempotency-Key): the same dossier comes back.
    const again = JSON.parse((await runCli(args, cliEnv)).stdout);
    expect(again.dossierCode).toBe(sent.dossierCode);
    expect(again.documents.map((d: { id: string }) => d.id)).toEqual(sent.documents.map((d: { id: string }) => d.id));

    const dossier = await runCli(['status', sent.dossierCode, '--json'], cliEnv);
    expect(dossier.code).toBe(0);
    const view = JSON.parse(dossier.stdout);
    expect(view.documents.map((d: { role: string }) => d.role)).toEqual(['result', 'component']);
    // A manifest naming an existing dossier adds its scans to it.
    const dir = await folder({ 'bo-sung.tif': dev('giay-xac-nhan-thong-tin-cu-tru-01.tif') });
    const manifest = path.join(dir, 'm.csv');
    await writeFile(manifest, `file,dossierCode,procedureCode,applicantId\nbo-sung.tif,${sent.dossierCode},${PROCEDURE},${APPLICANT}\n`);
    const added = await runCli(['ingest', dir, '--unit', UNIT, '--manifest', manifest, '--json'], cliEnv);
    expect(added.code, added.stderr).toBe(0);
    expect(JSON.parse(added.stdout).files[0]).toMatchObject({ file: 'bo-sung.tif', dossierCode: sent.dossierCode });
    const three = JSON.parse((await runCli(['status', sent.dossierCode, '--json'], cliEnv)).stdout);
    expect(three.documents.map((d: { fileName: string }) => d.fileName)).toEqual(['giay-khai-sinh-01.tif', 'to-khai-dang-ky-khai-sinh-02.tif', 'bo-sung.tif']);

    const human = await runCli(['status', sent.documents[0].id, '--lang', 'vi'], cliEnv);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(new RegExp(`dossierCode\\s+${sent.dossierCode.replace(/\./g, '\\.')}`));
    expect(human.stdout).toMatch(/^Mục\s+Giá trị/);
  });
});
