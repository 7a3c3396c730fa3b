// Parent side of the watchdog (watchdog.ts): starts it, tells it which server processes to stop should
// this process die without stopping them itself, and lets it go once they are stopped.
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface Guard {
  /** The watchdog's pid (for tests that check nothing is left behind). */
  readonly pid: number;
  track(pid: number, signal: 'SIGINT' | 'SIGTERM', graceMs: number): void;
  untrack(pid: number): void;
  /** Ends the watchdog; anything still tracked is stopped by it. */
  close(): Promise<void>;
}

function watchdogCommand(): string[] {
  const here = fileURLToPath(import.meta.url);
  const script = path.join(path.dirname(here), `watchdog${path.extname(here)}`);
  if (path.extname(here) !== '.ts') return [script];
  // Running from sources (npm start runs tsx): the watchdog needs the same TypeScript loader, resolved
  // from this package so it works whatever the working directory.
  const tsx = createRequire(import.meta.url).resolve('tsx');
  return ['--import', pathToFileURL(tsx).href, script];
}

export async function startGuard(): Promise<Guard> {
  const child: ChildProcess = spawn(process.execPath, watchdogCommand(), {
    // Its own session: a Ctrl-C in the terminal is for the app, which stops the servers in order.
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stdin = child.stdin!;
  stdin.on('error', () => undefined); // the watchdog died; nothing to tell it any more
  child.unref();
  (stdin as unknown as { unref?: () => void }).unref?.();
  const send = (msg: object) => {
    if (!stdin.destroyed) stdin.write(`${JSON.stringify(msg)}\n`);
  };
  return {
    pid: child.pid!,
    track: (pid, signal, graceMs) => send({ op: 'track', pid, signal, graceMs }),
    untrack: (pid) => send({ op: 'untrack', pid }),
    async close() {
      child.ref(); // see ServerProcess.stop: the wait must keep the process alive
      stdin.end();
      await exited;
    },
  };
}
