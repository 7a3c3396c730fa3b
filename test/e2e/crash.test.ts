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
    await waitReady(base, first, 180_000);
    const admin = new Client(base, ADMIN_KEY);
    const names = ['giay-khai-sinh-01.tif', 'giay-khai-sinh-02.jpg', 'giay-chung-nhan-ket-hon-02.pdf', 'giay-xac-nhan-thong-tin-cu-tru-01.tif', 'trich-luc-khai-tu-02.jpg', 'giay-phep-xay-dung-01.tif'];
    const files = await Promise.all(names.map((n) => corpusFile(DEV_CORPUS, n)));
    const res = await admin.upload('/v1/dossiers', { unitCode: '000.03.21.H54', procedureCode: '1.001193', applicantId: '034221659693', channel: 'desk' }, files);
    first.child.kill('SIGKILL');
    expect(res.status).toBe(202);
    await first.exited;

    const second = spawnApp(vars);
    try {
      await waitReady(base, second, 180_000);
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

describe('separate API and worker processes', () => {
  it('see a unit created, and a unit closed, through another API process, and sign with its new certificate, without a restart', async () => {
    const [portA, portB, s3Port] = await Promise.all([freePort(), freePort(), freePort()]);
    const vars = { ...env.env, EMBEDDED_S3_PORT: String(s3Port), LOG_LEVEL: 'info' };
    const apiA = spawnApp({ ...vars, PORT: String(portA) }, 'api');
    const procs = [apiA];
    try {
      await waitReady(`http://127.0.0.1:${portA}`, apiA, 180_000);
      const apiB = spawnApp({ ...vars, PORT: String(portB) }, 'api');
      const worker = spawnApp({ ...vars, WORKER_METRICS_PORT: '0' }, 'worker');
      procs.push(apiB, worker);
      await waitReady(`http://127.0.0.1:${portB}`, apiB, 180_000);
      await waitFor(async () => worker.output().includes('workers running'), 180_000, 200);
      const a = new Client(`http://127.0.0.1:${portA}`, ADMIN_KEY);
      const b = new Client(`http://127.0.0.1:${portB}`, ADMIN_KEY);
      const unit = { code: '000.06.21.H54', name: 'Ủy ban nhân dân xã Tân Lập', level: 'commune', parentCode: '000.00.21.H54', rural: true };
      expect((await a.json('POST', '/v1/units', unit)).status).toBe(201);
      // B learns of the unit from the change notice, or on its first miss.
      const res = await b.upload('/v1/dossiers', { unitCode: unit.code, procedureCode: '1.001193', applicantId: '034221659693', channel: 'desk', roles: 'result' }, [
        await corpusFile(DEV_CORPUS, 'giay-khai-sinh-01.tif'),
      ]);
      expect(res.status, JSON.stringify(res.body)).toBe(202);
      const id = res.body.documents[0].id;
      // The worker signs with the certificate API A made for the new unit: it reloads its identities.
      const doc = await waitFor(async () => {
        const r = await b.json('GET', `/v1/documents/${id}`);
        return ['done', 'failed', 'review'].includes(r.body.status) ? r.body : null;
      }, 240_000, 250);
      expect(doc.status, JSON.stringify(doc.error)).toBe('done');
      expect(doc.signer).toBe(unit.name);
      const notices = (apiB.output().match(/reloading after a change notice/g) ?? []).length;
      expect((await a.json('POST', `/v1/units/${unit.code}/close`, { validTo: '2025-06-30', successorCode: '000.03.21.H54' })).status).toBe(200);
      await waitFor(async () => (apiB.output().match(/reloading after a change notice/g) ?? []).length > notices, 30_000, 100);
      const closed = await b.upload('/v1/dossiers', { unitCode: unit.code, procedureCode: '1.001193', applicantId: '034221659693', channel: 'desk' }, [
        await corpusFile(DEV_CORPUS, 'giay-khai-sinh-01.tif'),
      ]);
      expect([closed.status, closed.body.error?.code]).toEqual([409, 'UNIT_CLOSED']);
    } finally {
      for (const p of procs) p.child.kill('SIGTERM');
      await Promise.all(procs.map((p) => p.exited));
    }
  }, 600_000);
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
