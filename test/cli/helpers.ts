// Running `sohoa` as a child process against a real API, and a small HTTP proxy in front of the API
// that counts requests, can hold back an answer (a lost answer, on demand) or answer 503 with
// Retry-After (back-pressure), so each test provokes exactly the moment it checks.
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFile, mkdir, mkdtemp } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../helpers/env.js';

export const SOHOA = path.join(REPO_ROOT, 'cli', 'sohoa.mjs');
export const UNIT = '000.03.21.H54';
export const PROCEDURE = '1.001193';
export const APPLICANT = '034221659693';

export interface CliRun {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
  /** Resolves when stderr has `count` lines matching `re` (counting from the start). */
  waitForLines(re: RegExp, count: number): Promise<void>;
}

export function startCli(args: string[], env: Record<string, string>): CliRun {
  const child = spawn(process.execPath, [SOHOA, ...args], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', LANG: 'C.UTF-8', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const watchers: { re: RegExp; count: number; resolve: () => void }[] = [];
  const check = () => {
    for (const w of [...watchers]) {
      const n = err.split('\n').filter((l) => w.re.test(l)).length;
      if (n >= w.count) {
        watchers.splice(watchers.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
    check();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitForLines(re, count) {
      return new Promise<void>((resolve, reject) => {
        watchers.push({ re, count, resolve });
        check();
        void exited.then((code) => reject(new Error(`sohoa exited (${code}) before ${count} lines matching ${re}:\n${err}\n${out}`)));
      });
    },
  };
}

export async function runCli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const run = startCli(args, env);
  const code = await run.exited;
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

/** A temporary folder with copies of the given files (name in folder → source path). */
export async function scanFolder(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sohoa-scans-'));
  for (const [name, src] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await copyFile(src, path.join(dir, name));
  }
  return dir;
}

export interface ProxyRule {
  /** Decides what to do with the n-th POST (1-based) to an intake path. */
  onPost?: (n: number, url: string) => 'pass' | 'hold' | { status: number; headers?: Record<string, string>; body: unknown };
}

export interface Proxy {
  url: string;
  posts: () => number;
  /** POSTs to intake paths (/v1/dossiers...), with the time each arrived. */
  postLog: { url: string; at: number; idempotencyKey: string | undefined; outcome: string }[];
  /** Resolves when a response is being held (the API has answered, the client will never know). */
  held: Promise<void>;
  setRule(rule: ProxyRule): void;
  close(): Promise<void>;
}

export async function startProxy(target: string): Promise<Proxy> {
  const t = new URL(target);
  let rule: ProxyRule = {};
  let intakePosts = 0;
  let allPosts = 0;
  const postLog: Proxy['postLog'] = [];
  let markHeld!: () => void;
  const held = new Promise<void>((r) => (markHeld = r));
  const heldSockets = new Set<import('node:net').Socket>();
  const server = http.createServer((req, res) => {
    const isIntake = req.method === 'POST' && (req.url ?? '').startsWith('/v1/dossiers');
    if (req.method === 'POST') allPosts++;
    let decision: ReturnType<NonNullable<ProxyRule['onPost']>> = 'pass';
    if (isIntake) {
      intakePosts++;
      decision = rule.onPost?.(intakePosts, req.url ?? '') ?? 'pass';
      const key = req.headers['idempotency-key'];
      postLog.push({ url: req.url ?? '', at: Date.now(), idempotencyKey: typeof key === 'string' ? key : undefined, outcome: typeof decision === 'string' ? decision : String(decision.status) });
    }
    if (typeof decision === 'object') {
      req.resume();
      req.on('end', () => {
        res.writeHead(decision.status, { 'content-type': 'application/json', ...(decision.headers ?? {}) });
        res.end(JSON.stringify(decision.body));
      });
      return;
    }
    const upstream = http.request(
      { host: t.hostname, port: t.port, method: req.method, path: req.url, headers: req.headers },
      (up) => {
        if (decision === 'hold') {
          // The API has done the work and answered; the client never hears it.
          up.resume();
          up.on('end', () => markHeld());
          heldSockets.add(req.socket);
          return;
        }
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502).end();
      else res.destroy();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as import('node:net').AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    posts: () => allPosts,
    postLog,
    held,
    setRule(r) {
      rule = r;
    },
    async close() {
      for (const s of heldSockets) s.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
