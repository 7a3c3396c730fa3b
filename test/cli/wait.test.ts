// `sohoa ingest --wait` through the whole pipeline (API and workers in-process): every document is
// followed until it rests, and the report says, row by row, what became of each scan: done with its
// type and code, a duplicate that reused the first reading, a paper outside the catalog in review, a
// scan that failed in the pipeline with its reason, a file refused at the door. Then `sohoa verify`
// on the signed PDF. Two distinct pages are read by OCR; the rest reuse them or never get that far.
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from '../../services/app.js';
import { ADMIN_KEY, BAD_CORPUS, DEV_CORPUS, makeTestEnv, type TestEnv } from '../helpers/env.js';
import { Client } from '../helpers/http.js';
import { APPLICANT, UNIT, runCli, scanFolder } from './helpers.js';

let env: TestEnv;
let app: RunningApp;
let admin: Client;
let cliEnv: Record<string, string>;
let dir = '';

/** A PNG whose header and end are intact (it passes the door) but whose pixel data is damaged. */
async function damagedPng(): Promise<Buffer> {
  const png = Buffer.from(await sharp(path.join(DEV_CORPUS, 'giay-khai-sinh-02.jpg')).resize(600).greyscale().png().toBuffer());
  const mid = Math.floor(png.length / 2);
  for (let i = mid; i < mid + 64; i++) png[i] = png[i]! ^ 0x5a;
  return png;
}

beforeAll(async () => {
  env = await makeTestEnv();
  app = await startApp(env.config, 'all');
  admin = new Client(app.url!, ADMIN_KEY);
  const key = (await admin.json('POST', '/v1/api-keys', { role: 'desk', unitCode: UNIT })).body.key as string;
  cliEnv = { SOHOA_URL: app.url!, SOHOA_KEY: key };
}, 300_000); // start-up on a busy machine (migrations, development PKI) can be slow

afterAll(async () => {
  await app?.stop();
  await env?.cleanup();
  if (dir) {
    await rm(dir, { recursive: true, force: true });
    await rm(`${dir}.sohoa-state.json`, { force: true });
  }
});

describe('sohoa ingest --wait', () => {
  it('follows every document until it rests and reports each scan row by row', async () => {
    dir = await scanFolder({
      '2021/khai-sinh.tif': path.join(DEV_CORPUS, 'giay-khai-sinh-01.tif'),
      '2021/giay-moi.jpg': path.join(DEV_CORPUS, 'unknown-giay-moi-01.jpg'),
      '2021/ban-sao/khai-sinh.tif': path.join(DEV_CORPUS, 'giay-khai-sinh-01.tif'),
      '2021/rong.jpg': path.join(BAD_CORPUS, 'empty.jpg'),
    });
    await writeFile(path.join(dir, '2021', 'hong.png'), await damagedPng());
    const manifest = path.join(dir, 'lo-2021.csv');
    await writeFile(
      manifest,
      [
        'file,group,procedureCode,applicantId,role,receivedAt',
        `2021/khai-sinh.tif,hs1,1.001193,${APPLICANT},result,2021-05-03`,
        '2021/giay-moi.jpg,hs1,,,component,',
        '2021/ban-sao/khai-sinh.tif,hs2,1.001193,034090001234,component,2021-06-11',
      ].join('\n'),
    );
    const report = path.join(dir, 'bao-cao.csv');
    const args = ['ingest', dir, '--unit', UNIT, '--manifest', manifest, '--procedure', '1.001193', '--applicant', APPLICANT, '--received-at', '2021-07-01', '--wait', '--report', report, '--concurrency', '1'];
    const res = await runCli([...args, '--json'], cliEnv);
    expect(res.code, res.stderr).toBe(3); // a failed document and a refused file
    const { summary } = JSON.parse(res.stdout);
    expect(summary).toMatchObject({
      scans: 5,
      accepted: 4,
      duplicates: 1,
      refused: 1,
      refusedByCode: { FILE_EMPTY: 1 },
      done: 2,
      review: 1,
      failed: 1,
      failedByCode: { PAGE_UNREADABLE: 1 },
      inProgress: 0,
      waited: true,
    });
    expect(summary.pagesPerMinute).toBeGreaterThan(0);

    const rows = parse(await readFile(report, 'utf8'), { columns: true, bom: true }) as Record<string, string>[];
    expect(rows.map((r) => r.file)).toEqual(['2021/ban-sao/khai-sinh.tif', '2021/giay-moi.jpg', '2021/hong.png', '2021/khai-sinh.tif', '2021/rong.jpg']);
    const [copy, invitation, damaged, birth, empty] = rows as Record<string, string>[] as [Record<string, string>, Record<string, string>, Record<string, string>, Record<string, string>, Record<string, string>];

    expect(birth).toMatchObject({ status: 'done', docType: 'giay-khai-sinh', error: '', duplicateOf: '', pages: '1', line: '2' });
    expect(birth.code).toBe(`${birth.dossierCode}-KQ1`); // a result: the electronic result code
    expect(birth.dossierCode).toMatch(/-210503-\d{4}$/);

    expect(invitation).toMatchObject({ status: 'review', docType: 'unknown', code: '', error: '', dossierCode: birth.dossierCode, line: '3' });

    expect(copy).toMatchObject({ status: 'done', docType: 'giay-khai-sinh', duplicateOf: birth.documentId, line: '4' });
    expect(copy.dossierCode).toMatch(/-210611-\d{4}$/);
    expect(copy.code).toMatch(/^034221659693\./); // a paper handed in: the digitized-paper code of the id printed on it

    expect(damaged).toMatchObject({ status: 'failed', docType: '', code: '', line: '' });
    expect(damaged.error).toMatch(/^PAGE_UNREADABLE: /);
    expect(damaged.dossierCode).toMatch(/-210701-\d{4}$/); // not in the manifest: the command-line defaults

    expect(empty).toMatchObject({ status: 'refused', documentId: '', dossierCode: '' });
    expect(empty.error).toMatch(/^FILE_EMPTY: /);

    // The report agrees with the catalog.
    for (const r of [birth, invitation, copy, damaged]) {
      const doc = (await admin.json('GET', `/v1/documents/${r.documentId}`)).body;
      expect([doc.status, doc.docType ?? '', doc.code ?? '', doc.dossierCode]).toEqual([r.status, r.docType, r.code, r.dossierCode]);
    }

    // Run again in Vietnamese: nothing is sent, the documents are already at rest, same report.
    const again = await runCli([...args, '--lang', 'vi'], cliEnv);
    expect(again.code).toBe(3);
    expect(again.stdout).toMatch(/Hoàn tất\s+2/);
    expect(again.stdout).toMatch(/Chờ kiểm tra\s+1/);
    expect(again.stdout).toMatch(/Thất bại\s+1 \(PAGE_UNREADABLE 1\)/);
    expect(again.stdout).toMatch(/Yêu cầu gửi đi\s+POST 1,/); // only the empty file, refused again
    const rows2 = parse(await readFile(report, 'utf8'), { columns: true, bom: true }) as Record<string, string>[];
    expect(rows2.map((r) => [r.file, r.documentId, r.status, r.code])).toEqual(rows.map((r) => [r.file, r.documentId, r.status, r.code]));

    // The signed PDF of the result checks out with `sohoa verify`; a tampered copy does not.
    const pdf = await admin.raw(`/v1/documents/${birth.documentId}/pdf`);
    expect(pdf.status).toBe(200);
    const signed = path.join(dir, 'ket-qua.pdf');
    await writeFile(signed, pdf.bytes);
    const ok = await runCli(['verify', signed], cliEnv);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/The signature is valid/);
    const tampered = Buffer.from(pdf.bytes);
    const at = tampered.indexOf('/MediaBox');
    tampered[at + 3] = 'x'.charCodeAt(0);
    await writeFile(path.join(dir, 'sua.pdf'), tampered);
    const bad = await runCli(['verify', path.join(dir, 'sua.pdf'), '--json'], cliEnv);
    expect(bad.code).toBe(3);
    expect(JSON.parse(bad.stdout).valid).toBe(false);
  }, 600_000);
});
