// Nothing accepted is lost: the process is SIGKILLed right after answering 202, restarted, and every
// acknowledged document is there and its job completes. Also: start-up refuses clearly when a service is
// missing, and SIGTERM shuts down cleanly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { ADMIN_KEY, DEV_CORPUS, makeTestEnv, type TestEnv } from '../helpers/env.js';
import { Client, corpusFile, waitFor } from '../helpers/http.js';
import { freePort, spawnApp, waitReady } from '../helpers/process.js';

let env: TestEnv;

beforeAll(async () => {
  env = await makeTestEnv({ JOB_LOCK_MS: '5000', LOG_LEVEL: 'info', SHUTDOWN_TIMEOUT_MS: '120000' });
});
afterAll(async () => {
  await env?.cleanup();
});

describe('durability', () => {
  it('loses nothing when killed with SIGKILL right after a 202', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const vars = { ...env.env, PORT: String(port) };
    const first = spawnApp(vars);
    await waitReady(base, first);
    const admin = new Client(base, ADMIN_KEY);
    const names = ['giay-khai-sinh-01.tif', 'giay-khai-sinh-02.jpg', 'giay-chung-nhan-ket-hon-01.pdf', 'to-khai-dang-ky-khai-sinh-03.png', 'trich-luc-khai-tu-02.jpg', 'giay-phep-xay-dung-02.jpg'];
    const files = await Promise.all(names.map((n) => corpusFile(DEV_CORPUS, n)));
    const res = await admin.upload('/v1/dossiers', { unitCode: '000.03.21.H54', procedureCode: '1.001193', applicantId: '034221659693', channel: 'desk' }, files);
    first.child.kill('SIGKILL');
    expect(res.status).toBe(202);
    await first.exited;

    const second = spawnApp(vars);
    try {
      await waitReady(base, second);
      for (const [i, d] of (res.body.documents as { id: string }[]).entries()) {
        const orig = await admin.raw(`/v1/documents/${d.id}/original`);
        expect(orig.bytes.equals(files[i]!.bytes)).toBe(true);
        const doc = await waitFor(async () => {
          const r = await admin.json('GET', `/v1/documents/${d.id}`);
          return r.body.pages && r.body.timestamps.processing ? r.body : null;
        }, 60_000);
        expect(doc.error).toBeNull();
      }
      const queue = new Queue('ingest', { connection: { url: env.config.REDIS_URL }, prefix: env.config.QUEUE_PREFIX });
      try {
        for (const d of res.body.documents as { id: string }[]) {
          await waitFor(async () => (await queue.getJob(`ingest-${d.id}`))?.finishedOn, 60_000);
          expect(await (await queue.getJob(`ingest-${d.id}`))!.getState()).toBe('completed');
        }
      } finally {
        await queue.close();
      }
    } finally {
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
    }
    expect(second.output()).toMatch(/shutting down/);
  }, 240_000);
});

describe('start-up checks', () => {
  it('exits with a message naming Redis when it is unreachable', async () => {
    const proc = spawnApp({ ...env.env, REDIS_URL: 'redis://127.0.0.1:1', PORT: String(await freePort()) });
    expect(await proc.exited).toBe(69);
    expect(proc.output()).toMatch(/Redis is not reachable at redis:\/\/127\.0\.0\.1:1/);
  });

  it('exits with a message naming PostgreSQL when it is unreachable', async () => {
    const proc = spawnApp({ ...env.env, DATABASE_URL: 'postgres://postgres@127.0.0.1:1/x', PORT: String(await freePort()) });
    expect(await proc.exited).toBe(69);
    expect(proc.output()).toMatch(/PostgreSQL is not usable/);
  });

  it('refuses invalid settings, naming them', async () => {
    const proc = spawnApp({ ...env.env, PORT: 'abc', MAX_FILE_BYTES: '-5' });
    expect(await proc.exited).toBe(78);
    expect(proc.output()).toMatch(/PORT/);
    expect(proc.output()).toMatch(/MAX_FILE_BYTES/);
  });
});
