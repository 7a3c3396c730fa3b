// The API goes away in the middle of a batch and comes back on the same port and database: the tool
// waits (backing off, all its requests held together), goes on, and every scan is stored exactly once.
// The API is a child process stopped at an exact moment: right after the tool reports its 3rd acceptance.
import { createHash } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, DEV_CORPUS, makeTestEnv, type TestEnv } from '../helpers/env.js';
import { Client } from '../helpers/http.js';
import { freePort, spawnApp, waitReady, type AppProcess } from '../helpers/process.js';
import { APPLICANT, PROCEDURE, UNIT, scanFolder, startCli } from './helpers.js';

let env: TestEnv;
const running: AppProcess[] = [];
let dir = '';

beforeAll(async () => {
  env = await makeTestEnv();
}, 300_000);

afterAll(async () => {
  for (const p of running) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  await Promise.all(running.map((p) => p.exited));
  await env?.cleanup();
  if (dir) {
    await rm(dir, { recursive: true, force: true });
    await rm(`${dir}.sohoa-state.json`, { force: true });
  }
});

describe('sohoa ingest while the API restarts', () => {
  it('waits for the API and goes on; nothing lost, nothing stored twice', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const vars = { ...env.env, PORT: String(port) };
    const first = spawnApp(vars, 'api');
    running.push(first);
    await waitReady(base, first, 240_000); // start-up on a busy machine can be slow
    const admin = new Client(base, ADMIN_KEY);
    const key = (await admin.json('POST', '/v1/api-keys', { role: 'postal', unitCode: UNIT })).body.key as string;

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
    ];
    dir = await scanFolder(Object.fromEntries(names.map((n) => [n, path.join(DEV_CORPUS, n)])));
    const cli = startCli(
      ['ingest', dir, '--unit', UNIT, '--procedure', PROCEDURE, '--applicant', APPLICANT, '--concurrency', '2', '--verbose', '--retry-for', '300', '--json'],
      { SOHOA_URL: base, SOHOA_KEY: key },
    );
    try {
      await cli.waitForLines(/^accepted /, 3);
      first.child.kill('SIGTERM');
      expect(await first.exited).toBe(0);
      // The tool notices and says it waits.
      await cli.waitForLines(/API not answering \((ECONNREFUSED|ECONNRESET|UND_ERR_SOCKET|other side closed)/, 1);
      const acceptedWhileDown = cli.stderr().split('\n').filter((l) => l.startsWith('accepted ')).length;

      const second = spawnApp(vars, 'api');
      running.push(second);
      await waitReady(base, second, 240_000);
      const code = await cli.exited;
      expect(code, cli.stderr()).toBe(0);
      const summary = JSON.parse(cli.stdout()).summary;
      expect(summary.accepted).toBe(names.length);
      expect(acceptedWhileDown).toBeLessThan(names.length);

      const db = new pg.Client({ connectionString: env.config.DATABASE_URL });
      await db.connect();
      try {
        const { rows } = await db.query<{ sha256: string; n: number }>('SELECT sha256, count(*)::int AS n FROM documents GROUP BY sha256');
        const counts = Object.fromEntries(rows.map((r) => [r.sha256, r.n]));
        for (const n of names) {
          const sha = createHash('sha256').update(await readFile(path.join(DEV_CORPUS, n))).digest('hex');
          expect(counts[sha], n).toBe(1);
        }
        expect(rows.length).toBe(names.length);
      } finally {
        await db.end();
      }
      second.child.kill('SIGTERM');
      await second.exited;
    } finally {
      if (cli.child.exitCode === null) cli.child.kill('SIGKILL');
    }
  }, 600_000);
});
