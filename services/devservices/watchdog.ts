// The watchdog of the development servers, a process of its own (started by guard.ts). PostgreSQL and
// redis-server do not notice when the process that started them dies, so the parent tells this one, on
// its stdin, which server processes it runs ({"op":"track",...} / {"op":"untrack",...}, one JSON object a
// line). When the stdin closes (the parent exited, cleanly or killed with SIGKILL), every server still
// tracked is stopped with its clean-shutdown signal, then SIGKILLed after its grace period.
import { createInterface } from 'node:readline';
import { stopProcess } from './processes.js';

interface Tracked {
  pid: number;
  signal: NodeJS.Signals;
  graceMs: number;
}

const tracked = new Map<number, Tracked>();

function parse(line: string): void {
  let msg: unknown;
  try {
    msg = JSON.parse(line);
  } catch {
    return;
  }
  if (typeof msg !== 'object' || msg === null) return;
  const { op, pid, signal, graceMs } = msg as Record<string, unknown>;
  if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 1) return;
  if (op === 'untrack') tracked.delete(pid);
  if (op === 'track' && (signal === 'SIGINT' || signal === 'SIGTERM') && typeof graceMs === 'number') {
    tracked.set(pid, { pid, signal, graceMs });
  }
}

// Terminal signals are meant for the app, which stops the servers itself in order; the watchdog only
// acts when its parent is gone.
process.on('SIGINT', () => undefined);
process.on('SIGHUP', () => undefined);

const lines = createInterface({ input: process.stdin });
lines.on('line', parse);
lines.on('close', () => {
  void Promise.all([...tracked.values()].map((t) => stopProcess(t.pid, t.signal, t.graceMs))).finally(() => process.exit(0));
});
