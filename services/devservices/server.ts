// What the development PostgreSQL and Redis have in common: a folder under DATA_DIR with the server's
// data, its log and an owner file; a server process started in its own session (a Ctrl-C is for the app,
// which stops the servers after itself) with its output in the log file, so that it outlives nothing and
// writes to no pipe of ours; leftovers of a crashed run found and stopped.
import { spawn, type SpawnOptions } from 'node:child_process';
import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DevServiceError } from './errors.js';
import type { Guard } from './guard.js';
import { isAlive, processName, stopProcess } from './processes.js';

export interface Owner {
  ownerPid: number;
  serverPid: number;
  port: number;
}

export interface ServerProcess {
  pid: number;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  exitCode(): number | null | undefined;
  logTail(): Promise<string>;
  /** Stops the server: its clean-shutdown signal, then SIGKILL after the grace period. */
  stop(): Promise<void>;
}

/** Keeps the previous run's log next to the new one (a crash is diagnosed from it), and no more. */
export async function rotateLog(file: string): Promise<void> {
  const st = await stat(file).catch(() => null);
  if (st && st.size > 0) await rename(file, `${file}.1`);
}

async function tail(file: string, from: number, max = 4000): Promise<string> {
  const text = await readFile(file, 'utf8').catch(() => '');
  const own = text.slice(from);
  return own.length > max ? own.slice(-max) : own;
}

export async function spawnServer(
  name: string,
  command: string,
  args: string[],
  logFile: string,
  guard: Guard,
  stopSignal: 'SIGINT' | 'SIGTERM',
  graceMs: number,
  extra: Pick<SpawnOptions, 'uid' | 'gid' | 'cwd' | 'env'> = {},
): Promise<ServerProcess> {
  const from = (await stat(logFile).catch(() => null))?.size ?? 0;
  const log = await open(logFile, 'a', 0o600);
  try {
    const child = spawn(command, args, { ...extra, detached: true, stdio: ['ignore', log.fd, log.fd] });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (err) => reject(new DevServiceError(`${name} could not be started (${command}): ${err.message}`)));
    });
    const pid = child.pid!;
    // Registered before anything else can fail, so that no path leaves the server running.
    guard.track(pid, stopSignal, graceMs);
    child.unref();
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    return {
      pid,
      exited,
      exitCode: () => child.exitCode,
      logTail: () => tail(logFile, from),
      async stop() {
        // Referenced again while it stops: an await on an unreferenced child alone would let Node end
        // the event loop (exit code 13, unsettled top-level await) before the server is down.
        child.ref();
        await stopProcess(pid, stopSignal, graceMs, exited);
        guard.untrack(pid);
      },
    };
  } finally {
    await log.close();
  }
}

export async function writeOwner(dir: string, owner: Owner): Promise<void> {
  await writeFile(path.join(dir, 'owner.json'), JSON.stringify(owner));
}

export async function removeOwner(dir: string): Promise<void> {
  await rm(path.join(dir, 'owner.json'), { force: true });
}

async function readOwner(dir: string): Promise<Owner | null> {
  try {
    const o = JSON.parse(await readFile(path.join(dir, 'owner.json'), 'utf8')) as Partial<Owner>;
    return typeof o.ownerPid === 'number' && typeof o.port === 'number' && typeof o.serverPid === 'number' ? (o as Owner) : null;
  } catch {
    return null;
  }
}

/**
 * Before starting a server on `dir`: a server that `pidFile` names and that still runs is either another
 * live motcua process's (its owner is returned: `npm run api` and `npm run worker` with
 * EMBEDDED_SERVICES=1 on one DATA_DIR share it, as they share the embedded object store) or left by a run
 * that died without its watchdog getting to it (stopped). A pid file naming anything else is stale.
 */
export async function claim(opts: {
  dir: string;
  pidFile: string;
  executable: string;
  stopSignal: 'SIGINT' | 'SIGTERM';
  onStop: (pid: number) => void;
}): Promise<Owner | null> {
  const text = await readFile(opts.pidFile, 'utf8').catch(() => null);
  if (text === null) return null;
  const pid = Number(text.split('\n')[0]?.trim());
  if (!Number.isInteger(pid) || pid <= 1 || !isAlive(pid) || (await processName(pid)) !== opts.executable) {
    await rm(opts.pidFile, { force: true });
    return null;
  }
  const owner = await readOwner(opts.dir);
  if (owner && owner.serverPid === pid && owner.ownerPid !== process.pid && isAlive(owner.ownerPid)) {
    // The same executable as this process: not some other program that reused a dead owner's pid.
    if ((await processName(owner.ownerPid)) === (await processName(process.pid))) return owner;
  }
  opts.onStop(pid);
  await stopProcess(pid, opts.stopSignal, 20_000);
  return null;
}

export async function ensureDir(dir: string, mode: number): Promise<void> {
  await mkdir(dir, { recursive: true, mode });
}
