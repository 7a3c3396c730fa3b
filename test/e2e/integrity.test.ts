// The integrity check on a real archive: nothing on a healthy one; exactly the three damages done to
// it (a deleted original, a flipped byte in a signed PDF, an orphan object) on a damaged one, through
// the admin endpoint and `npm run check`; and --repair signs the damaged copy again.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from '../../services/app.js';
import { checkArchive } from '../../services/integrity.js';
import { ADMIN_KEY, DEV_CORPUS, REPO_ROOT, makeTestEnv, type TestEnv } from '../helpers/env.js';
import { Client, corpusFile, waitFor } from '../helpers/http.js';

const run = promisify(execFile);
const UNIT = '000.03.21.H54';

let env: TestEnv;
let app: RunningApp;
/** The document whose signed copy the second test damages (ids sorted by uuid, not by upload order). */
let damagedSigned = '';
let admin: Client;
const ids: string[] = [];

async function done(id: string): Promise<any> {
  return waitFor(async () => {
    const r = await admin.json('GET', `/v1/documents/${id}`);
    return ['done', 'review', 'failed'].includes(r.body.status) ? r.body : null;
  }, 240_000, 250);
}

beforeAll(async () => {
  env = await makeTestEnv();
  app = await startApp(env.config, 'all');
  admin = new Client(app.url!, ADMIN_KEY);
  for (const name of ['giay-khai-sinh-01.tif', 'giay-xac-nhan-thong-tin-cu-tru-01.tif']) {
    const res = await admin.upload('/v1/dossiers', { unitCode: UNIT, procedureCode: '1.001193', applicantId: '034221659693', channel: 'desk', roles: 'result' }, [await corpusFile(DEV_CORPUS, name)]);
    ids.push(res.body.documents[0].id);
  }
  for (const id of ids) expect((await done(id)).status).toBe('done');
}, 300_000);

afterAll(async () => {
  await app?.stop();
  await env?.cleanup();
});

describe('the integrity check', () => {
  it('finds nothing on a healthy archive', async () => {
    const res = await admin.json('POST', '/v1/integrity-check');
    expect(res.status).toBe(200);
    expect(res.body.findings).toEqual([]);
    expect(res.body.checkedDocuments).toBe(2);
    expect(res.body.checkedObjects).toBeGreaterThanOrEqual(8);
  });

  it('reports exactly a deleted original, a flipped byte and an orphan object, through the API and npm run check', async () => {
    const { rows } = await app.ctx.db.query('SELECT id, original_key, signed_key FROM documents WHERE id = ANY($1::uuid[]) ORDER BY id', [ids]);
    const [a, b] = rows as { id: string; original_key: string; signed_key: string }[];
    damagedSigned = b!.id;
    const { S3_BUCKET_ORIGINALS: originals, S3_BUCKET_RESULTS: results } = app.ctx.config;
    await app.ctx.store.remove(originals, a!.original_key);
    const signed = await app.ctx.store.get(results, b!.signed_key);
    const at = Math.floor(signed.length / 3);
    signed[at] = (signed[at] ?? 0) ^ 0x01;
    await app.ctx.store.put(results, b!.signed_key, signed);
    const orphanKey = `${UNIT}/2026/${'0'.repeat(64)}`;
    await app.ctx.store.put(originals, orphanKey, Buffer.from('not in the catalog'));

    const report = await checkArchive(app.ctx, { orphanGraceMs: 0 });
    const seen = report.findings.map((f) => [f.kind, f.documentId ?? f.key]).sort();
    expect(seen).toEqual(
      [
        ['original-missing', a!.id],
        ['signed-altered', b!.id],
        ['orphan-object', orphanKey],
      ].sort(),
    );

    const cli = await run(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'scripts', 'check.ts'), '--json', '--orphan-grace-minutes', '0'], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env.env, EMBEDDED_S3_PORT: String(new URL(`http://${app.ctx.store.description.split(' at ')[1]?.split(',')[0]}`).port) },
    }).then(
      () => ({ code: 0, out: '' }),
      (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, out: err.stdout, err: err.stderr }),
    );
    expect(cli.code, JSON.stringify(cli)).toBe(1);
    expect(cli.out, JSON.stringify(cli)).toMatch(/^\{/);
    expect((JSON.parse(cli.out) as { findings: unknown[] }).findings).toHaveLength(3);
  }, 120_000);

  it('with repair, signs the damaged copy again under the same code and leaves what it cannot redo reported', async () => {
    const before = await admin.json('GET', `/v1/documents/${damagedSigned}`);
    const repaired = await admin.json('POST', '/v1/integrity-check?repair=true');
    expect(repaired.body.repaired).toBeGreaterThanOrEqual(1);
    const again = await waitFor(async () => {
      const r = await admin.json('GET', `/v1/documents/${damagedSigned}`);
      return r.body.status === 'done' && r.body.signedAt !== before.body.signedAt ? r.body : null;
    }, 60_000, 250);
    expect(again.code).toBe(before.body.code);
    expect((await admin.json('GET', `/v1/documents/${damagedSigned}/verification`)).body.valid).toBe(true);
    const after = await checkArchive(app.ctx, { orphanGraceMs: 0 });
    expect(after.findings.map((f) => f.kind).sort()).toEqual(['original-missing', 'orphan-object']);
    const audit = await admin.json('GET', '/v1/audit?action=integrity.repair');
    expect(audit.body.items.length).toBeGreaterThanOrEqual(1);
  }, 120_000);
});
