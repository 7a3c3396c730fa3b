// The development Redis: the machine's own redis-server (or valkey-server) from the PATH, configured the
// way BullMQ needs it to lose nothing: append-only file on, noeviction, data in DATA_DIR/redis, on
// 127.0.0.1 only with a random password (DATA_DIR/redis/password), its log in DATA_DIR/redis/redis.log.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { access, constants, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import { DevServiceError } from './errors.js';
import type { Guard } from './guard.js';
import { freePort } from './processes.js';
import { claim, ensureDir, removeOwner, rotateLog, spawnServer, writeOwner, type ServerProcess } from './server.js';

const EXECUTABLES = ['redis-server', 'valkey-server'];
/** BullMQ refuses older servers (RedisConnection.minimumVersion). */
const MIN_VERSION = [5, 0, 0];
const RECOMMENDED_VERSION = [6, 2, 0];

export interface DevRedisOptions {
  /** DATA_DIR/redis */
  dir: string;
  /** 0: a free port. */
  port: number;
  guard: Guard;
  log: Logger;
}

export interface DevRedis {
  url: string;
  port: number;
  pid: number;
  version: string;
  /** The motcua process whose server this one uses (api and worker on one DATA_DIR), else null. */
  sharedWith: number | null;
  stop(): Promise<void>;
}

function redisUrl(password: string, port: number): string {
  return `redis://:${encodeURIComponent(password)}@127.0.0.1:${port}`;
}

export async function findOnPath(names: string[], envPath = process.env.PATH ?? ''): Promise<string | null> {
  const exts = process.platform === 'win32' ? ['.exe', ''] : [''];
  for (const name of names) {
    for (const dir of envPath.split(path.delimiter).filter(Boolean)) {
      for (const ext of exts) {
        const candidate = path.join(dir, name + ext);
        if (await access(candidate, constants.X_OK).then(() => true, () => false)) return candidate;
      }
    }
  }
  return null;
}

async function osRelease(): Promise<{ id: string; like: string[] }> {
  const text = await readFile('/etc/os-release', 'utf8').catch(() => '');
  const field = (k: string) => text.match(new RegExp(`^${k}="?([^"\\n]*)"?$`, 'm'))?.[1]?.toLowerCase() ?? '';
  return { id: field('ID'), like: field('ID_LIKE').split(/\s+/).filter(Boolean) };
}

/** The command that installs Redis here, as one line for the user. */
export async function installCommand(): Promise<string> {
  const sudo = process.getuid?.() === 0 ? '' : 'sudo ';
  if (process.platform === 'darwin') return 'brew install redis';
  if (process.platform === 'win32') return 'install Redis in WSL (sudo apt-get install redis-server) or Memurai';
  const { id, like } = await osRelease();
  const is = (...names: string[]) => names.includes(id) || like.some((l) => names.includes(l));
  if (is('debian', 'ubuntu')) return `${sudo}apt-get install redis-server`;
  if (is('alpine')) return `${sudo}apk add redis`;
  if (is('fedora', 'rhel', 'centos')) return `${sudo}dnf install redis`;
  if (is('arch')) return `${sudo}pacman -S redis`;
  if (is('suse', 'opensuse')) return `${sudo}zypper install redis`;
  if (process.platform === 'freebsd') return `${sudo}pkg install redis`;
  return 'install redis-server (Redis 6.2 or later) with the system package manager';
}

function versionOf(binary: string): Promise<string> {
  return new Promise((resolve) => {
    execFile(binary, ['--version'], (err, stdout) => resolve(err ? '' : (stdout.match(/v=(\d+\.\d+\.\d+)/)?.[1] ?? '')));
  });
}

function below(version: string, min: number[]): boolean {
  const v = version.split('.').map(Number);
  for (let i = 0; i < min.length; i++) {
    if ((v[i] ?? 0) !== min[i]) return (v[i] ?? 0) < min[i]!;
  }
  return false;
}

/** redis.conf string syntax: double quotes, backslash escapes. */
function quote(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

async function waitReady(port: number, password: string, proc: ServerProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc.exitCode() !== null && proc.exitCode() !== undefined) throw new Error('exited');
    const client = new Redis({ host: '127.0.0.1', port, password, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false, connectTimeout: 2000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      // While the append-only file loads, commands answer LOADING; PING succeeds only once the data is in.
      if ((await client.ping()) === 'PONG') return;
    } catch {
      if (Date.now() > deadline) throw new Error(`no answer within ${timeoutMs / 1000} s`);
      await new Promise((r) => setTimeout(r, 100));
    } finally {
      client.disconnect();
    }
  }
}

/** Fails with the one-line install command when no redis-server is installed. */
export async function findRedisServer(): Promise<string> {
  const binary = await findOnPath(EXECUTABLES);
  if (!binary) {
    throw new DevServiceError(`redis-server is not installed: ${await installCommand()} (or set REDIS_URL to a running Redis)`);
  }
  return binary;
}

export async function startDevRedis(binary: string, opts: DevRedisOptions): Promise<DevRedis> {
  const version = await versionOf(binary);
  if (version && below(version, MIN_VERSION)) {
    throw new DevServiceError(`${binary} is Redis ${version}; BullMQ needs ${MIN_VERSION.join('.')} or later: ${await installCommand()} (or set REDIS_URL)`);
  }
  if (version && below(version, RECOMMENDED_VERSION)) opts.log.warn({ version }, `BullMQ recommends Redis ${RECOMMENDED_VERSION.join('.')} or later`);

  const dir = path.resolve(opts.dir);
  await ensureDir(dir, 0o700);
  const pidFile = path.join(dir, 'redis.pid');
  const logFile = path.join(dir, 'redis.log');
  const passwordFile = path.join(dir, 'password');
  const sibling = await claim({
    dir,
    pidFile,
    executable: path.basename(binary, '.exe'),
    stopSignal: 'SIGTERM',
    onStop: (pid) => opts.log.warn({ pid }, 'stopping a development Redis left running by an earlier run'),
  });
  if (sibling) {
    const password = (await readFile(passwordFile, 'utf8')).trim();
    const client = new Redis({ host: '127.0.0.1', port: sibling.port, password, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 5000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.ping();
    } catch (err) {
      throw new DevServiceError(`The development Redis of process ${sibling.ownerPid} (127.0.0.1:${sibling.port}, ${dir}) does not answer: ${(err as Error).message}`);
    } finally {
      client.disconnect();
    }
    return { url: redisUrl(password, sibling.port), port: sibling.port, pid: sibling.serverPid, version, sharedWith: sibling.ownerPid, stop: async () => undefined };
  }
  let password = (await readFile(passwordFile, 'utf8').catch(() => ''))?.trim();
  if (!password) {
    password = randomBytes(18).toString('base64url');
    await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
  }
  await rotateLog(logFile);

  const autoPort = opts.port === 0;
  for (let attempt = 1; ; attempt++) {
    const port = autoPort ? await freePort() : opts.port;
    // In a file, not on the command line, so the password does not show in the process list.
    const conf = path.join(dir, 'redis.conf');
    await writeFile(
      conf,
      [
        'bind 127.0.0.1',
        `port ${port}`,
        'protected-mode yes',
        `dir ${quote(dir)}`,
        'appendonly yes',
        'appendfsync everysec',
        'maxmemory-policy noeviction',
        // The append-only file is the durable copy; no RDB snapshots on top of it.
        'save ""',
        'daemonize no',
        `pidfile ${quote(pidFile)}`,
        'logfile ""',
        `requirepass ${quote(password)}`,
        '',
      ].join('\n'),
      { mode: 0o600 },
    );
    const proc = await spawnServer('Redis', binary, [conf], logFile, opts.guard, 'SIGTERM', 20_000, { cwd: dir });
    try {
      await waitReady(port, password, proc, 30_000);
    } catch (err) {
      await proc.stop();
      const logText = await proc.logTail();
      if (autoPort && attempt < 3 && /Address already in use|Could not create server TCP listening socket/i.test(logText)) continue;
      throw new DevServiceError(
        `The development Redis did not start (${(err as Error).message}); its log (${logFile}) ends with:\n${logText.trim().split('\n').slice(-8).join('\n')}`,
      );
    }
    await writeOwner(dir, { ownerPid: process.pid, serverPid: proc.pid, port });
    let stopping = false;
    void proc.exited.then((code) => {
      if (!stopping) opts.log.error({ code, log: logFile }, 'the development Redis exited by itself');
    });
    return {
      url: redisUrl(password, port),
      port,
      pid: proc.pid,
      version,
      sharedWith: null,
      async stop() {
        stopping = true;
        // SIGTERM: Redis flushes the append-only file and exits.
        await proc.stop();
        await removeOwner(dir);
      },
    };
  }
}
