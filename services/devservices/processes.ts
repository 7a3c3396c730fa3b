// Small process helpers shared by the development servers and their watchdog: liveness, identity, and a
// stop that escalates to SIGKILL. Kept free of other project imports so the watchdog loads fast.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import net from 'node:net';

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else (still alive).
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The executable name of a running process ('postgres', 'redis-server'), or null when it is gone. */
export async function processName(pid: number): Promise<string | null> {
  if (process.platform === 'linux') {
    try {
      return (await readFile(`/proc/${pid}/comm`, 'utf8')).trim();
    } catch {
      return null;
    }
  }
  return new Promise((resolve) => {
    execFile('ps', ['-p', String(pid), '-o', 'comm='], (err, stdout) => {
      if (err) return resolve(null);
      const name = stdout.trim().split('/').pop();
      resolve(name ? name : null);
    });
  });
}

/** A zombie has exited; only its parent (or init) has not collected it yet. */
async function isZombie(pid: number): Promise<boolean> {
  if (process.platform !== 'linux') return false;
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return false;
  }
}

export async function waitGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid) && !(await isZombie(pid))) {
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

/**
 * Sends `signal` (the server's own clean-shutdown signal), waits up to `graceMs`, then SIGKILLs.
 * A child of this process must be reaped by its ChildProcess (pass `exited`), or it stays a zombie that
 * kill(pid, 0) still reports as alive.
 */
export async function stopProcess(pid: number, signal: NodeJS.Signals, graceMs: number, exited?: Promise<unknown>): Promise<'stopped' | 'killed' | 'gone'> {
  if (!isAlive(pid)) return 'gone';
  try {
    process.kill(pid, signal);
  } catch {
    return 'gone';
  }
  let timer: NodeJS.Timeout | undefined;
  const done = exited
    ? Promise.race([exited.then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), graceMs)))])
    : waitGone(pid, graceMs);
  const stopped = await done;
  clearTimeout(timer);
  if (stopped) return 'stopped';
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return 'stopped';
  }
  if (exited) await exited;
  else await waitGone(pid, 5000);
  return 'killed';
}

/** A port nothing listens on right now (the OS picks it). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, host, () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Whether anything accepts a TCP connection at host:port within `timeoutMs`. */
export async function answers(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const finish = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}
