// A private redis-server for the fault tests, with AOF on in its own folder, so it can be killed and
// started again from its append-only file without touching the machine's Redis.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './process.js';

export interface PrivateRedis {
  url: string;
  port: number;
  /** SIGKILL: no shutdown save; what survives is what the AOF holds. */
  kill(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export async function startPrivateRedis(extra: string[] = []): Promise<PrivateRedis> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'motcua-redis-'));
  const port = await freePort();
  let child: ChildProcess | null = null;
  const launch = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', '', '--maxmemory-policy', 'noeviction', ...extra], { stdio: 'ignore' });
    const probe = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => 100 });
    probe.on('error', () => undefined);
    const deadline = Date.now() + 15_000;
    for (;;) {
      try {
        await probe.connect().catch(() => undefined);
        if ((await probe.ping()) === 'PONG') break;
      } catch {
        if (Date.now() > deadline) throw new Error(`redis-server did not start on ${port}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    probe.disconnect();
  };
  const exited = (c: ChildProcess) => new Promise<void>((resolve) => (c.exitCode !== null ? resolve() : c.once('exit', () => resolve())));
  await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async kill() {
      const c = child;
      child = null;
      if (!c) return;
      c.kill('SIGKILL');
      await exited(c);
    },
    start: launch,
    async stop() {
      const c = child;
      child = null;
      if (c) {
        c.kill('SIGTERM');
        await exited(c);
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
