// What a person sees while a batch runs: a cli-progress bar with rate and ETA on a terminal, and
// nothing but the important lines (refusals, retries, the summary) when stdout is a file or a pipe.
import cliProgress from 'cli-progress';

export interface BarPayload {
  phase: string;
  rate: string;
  counts: string;
  note: string;
}

export interface Ui {
  readonly interactive: boolean;
  startBar(total: number, value: number, payload: BarPayload): void;
  updateBar(value: number, payload: Partial<BarPayload>): void;
  stopBar(): void;
  /** A line for the person: printed above the bar on a terminal, on stderr otherwise. */
  log(line: string): void;
}

const FORMAT = '{phase} [{bar}] {value}/{total} {percentage}% | {rate} | ETA {eta_formatted} | {counts} {note}';

export function createUi(opts: { interactive: boolean; stream?: NodeJS.WriteStream }): Ui {
  const stream = opts.stream ?? process.stderr;
  let multi: cliProgress.MultiBar | null = null;
  let bar: cliProgress.SingleBar | null = null;
  return {
    interactive: opts.interactive,
    startBar(total, value, payload) {
      if (!opts.interactive) return;
      this.stopBar();
      multi = new cliProgress.MultiBar(
        {
          format: FORMAT,
          stream,
          hideCursor: true,
          gracefulExit: false, // Ctrl-C is ours: the state is saved first, then the bar stopped
          etaBuffer: 100,
          fps: 5,
          barsize: 24,
          autopadding: true,
          emptyOnZero: true,
        },
        cliProgress.Presets.shades_classic,
      );
      bar = multi.create(total, value, payload);
    },
    updateBar(value, payload) {
      bar?.update(value, payload);
    },
    stopBar() {
      multi?.stop();
      multi = null;
      bar = null;
    },
    log(line) {
      if (multi) multi.log(`${line}\n`);
      else stream.write(`${line}\n`);
    },
  };
}

/** Items per minute over a sliding window, so the rate follows the API's current pace. */
export class RateMeter {
  private samples: number[] = [];
  constructor(private readonly windowMs = 60_000) {}
  hit(now = Date.now()): void {
    this.samples.push(now);
    const from = now - this.windowMs;
    while (this.samples.length > 0 && this.samples[0]! < from) this.samples.shift();
  }
  perMinute(now = Date.now()): number {
    const from = now - this.windowMs;
    const recent = this.samples.filter((t) => t >= from);
    if (recent.length < 2) return recent.length;
    const span = Math.max(1000, now - recent[0]!);
    return (recent.length / span) * 60_000;
  }
}
