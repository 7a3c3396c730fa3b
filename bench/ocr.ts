// OCR stage benchmark: our pipeline (tesseract.js pool + cleanup + searchable PDF) against native
// Debian tesseract, one process per core, on the same pages.
// Usage: npm run bench:ocr -- [--limit N] [--workers N] [corpusDir]
import { execFile, execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { createOcrEngine, processDocument, type OcrResult } from '../services/ocr/index.js';
import { loadManifest, mediaTypeOf, type CorpusSample } from './lib/corpus.js';
import { cer, lineCer, wordF1 } from './lib/metrics.js';
import { existsSync } from 'node:fs';
import { DEV_CORPUS, SHARED_DEV_CORPUS } from '../test/helpers/env.js';

const run = promisify(execFile);
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface Args {
  limit: number;
  workers: number;
  dir: string;
}

function parseArgs(argv: string[]): Args {
  let limit = Infinity;
  let workers = os.availableParallelism();
  let dir = existsSync(SHARED_DEV_CORPUS) ? SHARED_DEV_CORPUS : DEV_CORPUS;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--limit') limit = Number(argv[++i]);
    else if (a === '--workers') workers = Number(argv[++i]);
    else if (a && !a.startsWith('--')) dir = path.resolve(a);
  }
  if (!Number.isFinite(workers) || workers < 1) throw new Error('--workers must be a positive number');
  return { limit, workers, dir };
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return 0;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? 0;
}

/** CPU ms of waited-for child processes (native tesseract), from /proc: load-independent, unlike wall time. */
async function childCpuMs(): Promise<number> {
  try {
    const stat = await readFile('/proc/self/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 16 and 17 (cutime, cstime) in clock ticks; the slice starts at field 3.
    return (Number(f[13]) + Number(f[14])) * 10;
  } catch {
    return NaN;
  }
}

const mean = (xs: number[]) => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);
const r4 = (n: number) => Math.round(n * 10000) / 10000;

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i] as T);
      }
    }),
  );
  return out;
}

interface Scores {
  f1: number;
  cer: number;
  lineCer: number;
}

function score(text: string, s: CorpusSample): Scores {
  const ref = s.lines.join('\n');
  return { f1: wordF1(text, ref), cer: cer(text, ref), lineCer: lineCer(text, s.lines) };
}

async function ensureNativeTesseract(): Promise<void> {
  const has = () => {
    try {
      return execFileSync('tesseract', ['--list-langs'], { stdio: 'pipe' }).toString().split('\n').includes('vie');
    } catch {
      return false;
    }
  };
  if (has()) return;
  console.log('installing tesseract-ocr and tesseract-ocr-vie with apt-get');
  const apt = ['apt-get', 'install', '-y', 'tesseract-ocr', 'tesseract-ocr-vie'];
  const [cmd, ...rest] = process.getuid?.() === 0 ? apt : ['sudo', ...apt];
  execFileSync(cmd ?? 'apt-get', rest, { stdio: 'inherit' });
  if (!has()) throw new Error('native tesseract with vie is still missing');
}

/** Native tesseract reads images itself; a PDF's page images are pulled out first (not timed). */
async function nativeInputs(s: CorpusSample, dir: string, tmp: string): Promise<string[]> {
  const out: string[] = [];
  for (const f of s.files) {
    const p = path.join(dir, f);
    if (mediaTypeOf(f) !== 'application/pdf') {
      out.push(p);
      continue;
    }
    const prefix = path.join(tmp, `${s.id}-${path.basename(f, '.pdf')}`);
    await run('pdfimages', ['-all', p, prefix]);
    const made = (await readdir(tmp)).filter((n) => n.startsWith(path.basename(prefix))).sort();
    out.push(...made.map((n) => path.join(tmp, n)));
  }
  return out;
}

interface OursDoc {
  s: CorpusSample;
  ocr: OcrResult;
  pdf: Uint8Array;
  ms: number;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const samples = (await loadManifest(args.dir)).slice(0, args.limit);
  const totalPages = samples.reduce((n, s) => n + s.pages, 0);
  console.log(`corpus ${args.dir}: ${samples.length} documents, ${totalPages} pages; ${args.workers} workers on ${os.availableParallelism()} cores`);
  await ensureNativeTesseract();
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'bench-ocr-'));

  const rssBase = process.memoryUsage().rss;
  let rssPeak = rssBase;
  const rssTrace: number[] = [];
  const sampler = setInterval(() => {
    const r = process.memoryUsage().rss;
    rssPeak = Math.max(rssPeak, r);
    rssTrace.push(Math.round(r / 2 ** 20));
  }, 1000);
  const engine = await createOcrEngine({ workers: args.workers, recycleAfterPages: 20, pageTimeoutMs: 180_000 });
  // Left on through the native phases too: the main thread only waits there, and a histogram
  // that is switched off and on counts the switched-off time as one long delay.
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();

  // The machine is shared, so load drifts over minutes: ours and native run alternately on the
  // same small chunks of documents, and each side's wall time is the sum over its chunks.
  const CHUNK = 6;
  const ours: OursDoc[] = [];
  const nativeText: { id: string; text: string }[] = [];
  let wallOurs = 0;
  let wallNative = 0;
  let nativePages = 0;
  let cpuOurs = 0;
  let cpuNative = 0;
  for (let c = 0; c < samples.length; c += CHUNK) {
    const chunk = samples.slice(c, c + CHUNK);
    const t0 = Date.now();
    const c0 = process.cpuUsage();
    ours.push(
      // One document more than workers in flight, so decoding and cleanup of the next page
      // overlap recognition instead of leaving a worker idle.
      ...(await mapLimit(chunk, args.workers + 1, async (s) => {
        const f = s.files[0];
        if (!f || s.files.length !== 1) throw new Error(`${s.id}: one file per document expected`);
        const started = Date.now();
        const { ocr, pdf } = await processDocument(
          engine,
          { bytes: await readFile(path.join(args.dir, f)), mediaType: mediaTypeOf(f) },
          { title: s.id, unitCode: 'BENCH', dossierCode: 'BENCH', documentId: s.id },
        );
        return { s, ocr, pdf, ms: Date.now() - started };
      })),
    );
    wallOurs += Date.now() - t0;
    const cu = process.cpuUsage(c0);
    cpuOurs += (cu.user + cu.system) / 1000;

    const inputs = await Promise.all(chunk.map(async (s) => ({ s, files: await nativeInputs(s, args.dir, tmp) })));
    const jobs = inputs.flatMap(({ s, files }) => files.map((file) => ({ s, file })));
    nativePages += jobs.length;
    const t1 = Date.now();
    const n0 = await childCpuMs();
    nativeText.push(
      ...(await mapLimit(jobs, args.workers, async ({ s, file }) => {
        const { stdout } = await run('tesseract', [file, 'stdout', '-l', 'vie'], {
          env: { ...process.env, OMP_THREAD_LIMIT: '1' },
          maxBuffer: 64 << 20,
        });
        return { id: s.id, text: stdout };
      })),
    );
    wallNative += Date.now() - t1;
    cpuNative += (await childCpuMs()) - n0;
    console.log(`  ${Math.min(c + CHUNK, samples.length)}/${samples.length} documents`);
  }
  lag.disable();
  const poolStats = { ...engine.pool.stats };
  await engine.close();
  clearInterval(sampler);

  const perDoc: Record<string, unknown>[] = [];
  const oursScores: Scores[] = [];
  const pdfF1: number[] = [];
  const pageMs: number[] = [];
  for (const { s, ocr, pdf, ms } of ours) {
    const file = path.join(tmp, `${s.id}.pdf`);
    await writeFile(file, pdf);
    const { stdout } = await run('pdftotext', ['-enc', 'UTF-8', file, '-'], { maxBuffer: 64 << 20 });
    const sc = score(ocr.text, s);
    const pf = wordF1(stdout, s.lines.join('\n'));
    oursScores.push(sc);
    pdfF1.push(pf);
    for (const p of ocr.pages) pageMs.push(p.durationMs);
    perDoc.push({
      id: s.id,
      ...Object.fromEntries(Object.entries(sc).map(([k, v]) => [k, r4(v)])),
      pdfF1: r4(pf),
      confidence: ocr.confidence,
      rotation: ocr.pages.map((p) => p.rotation),
      skew: ocr.pages.map((p) => p.skew),
      truth: s.scan,
      pdfKB: Math.round(pdf.length / 1024),
      ms,
    });
  }
  const nativeScores = samples.map((s) =>
    score(
      nativeText
        .filter((t) => t.id === s.id)
        .map((t) => t.text)
        .join('\n'),
      s,
    ),
  );
  await rm(tmp, { recursive: true, force: true });

  const summary = (sc: Scores[]) => ({
    wordF1: r4(mean(sc.map((x) => x.f1))),
    cer: r4(mean(sc.map((x) => x.cer))),
    lineCer: r4(mean(sc.map((x) => x.lineCer))),
  });
  const oursSum = {
    pagesPerMin: Math.round((totalPages / wallOurs) * 60_000 * 10) / 10,
    msPerPageMedian: percentile(pageMs, 50),
    msPerPageP95: percentile(pageMs, 95),
    cpuMsPerPage: Math.round(cpuOurs / totalPages),
    ...summary(oursScores),
    pdftotextWordF1: r4(mean(pdfF1)),
    peakRssMB: Math.round(rssPeak / 2 ** 20),
    peakRssPerWorkerMB: Math.round((rssPeak - rssBase) / 2 ** 20 / args.workers),
    eventLoopMaxLagMs: Math.round(lag.max / 1e6),
    eventLoopP99LagMs: Math.round(lag.percentile(99) / 1e6),
    pool: poolStats,
  };
  const nativeSum = {
    pagesPerMin: Math.round((nativePages / wallNative) * 60_000 * 10) / 10,
    cpuMsPerPage: Math.round(cpuNative / nativePages),
    ...summary(nativeScores),
  };
  const ratios = {
    throughput: r4(oursSum.pagesPerMin / nativeSum.pagesPerMin),
    /** Native CPU per page over ours: what the throughput ratio would be with both cores to ourselves. */
    cpu: r4(nativeSum.cpuMsPerPage / oursSum.cpuMsPerPage),
    wordF1: r4(oursSum.wordF1 / nativeSum.wordF1),
    lineCer: nativeSum.lineCer > 0 ? r4(oursSum.lineCer / nativeSum.lineCer) : null,
  };

  const rows: [string, string | number, string | number, string | number | null][] = [
    ['pages/min', oursSum.pagesPerMin, nativeSum.pagesPerMin, ratios.throughput],
    ['word F1', oursSum.wordF1, nativeSum.wordF1, ratios.wordF1],
    ['CER (reading order)', oursSum.cer, nativeSum.cer, r4(oursSum.cer / (nativeSum.cer || 1))],
    ['CER (line-matched)', oursSum.lineCer, nativeSum.lineCer, ratios.lineCer],
    ['CPU ms/page', oursSum.cpuMsPerPage, nativeSum.cpuMsPerPage, ratios.cpu],
    ['pdftotext word F1', oursSum.pdftotextWordF1, '-', null],
    ['ms/page median', oursSum.msPerPageMedian, '-', null],
    ['ms/page p95', oursSum.msPerPageP95, '-', null],
    ['peak RSS MB (process)', oursSum.peakRssMB, '-', null],
    ['peak RSS MB / worker', oursSum.peakRssPerWorkerMB, '-', null],
    ['event loop max lag ms', oursSum.eventLoopMaxLagMs, '-', null],
  ];
  console.log(`\n${'metric'.padEnd(24)}${'ours'.padStart(12)}${'native'.padStart(12)}${'ours/native'.padStart(14)}`);
  for (const [k, a, b, c] of rows) console.log(`${k.padEnd(24)}${String(a).padStart(12)}${String(b).padStart(12)}${String(c ?? '').padStart(14)}`);

  const result = {
    date: new Date().toISOString(),
    corpus: args.dir,
    documents: samples.length,
    pages: totalPages,
    workers: args.workers,
    cores: os.availableParallelism(),
    model: engine.model.model,
    ours: oursSum,
    native: nativeSum,
    ratios,
    rssTraceMB: rssTrace,
    perDocument: perDoc,
  };
  await mkdir(path.join(repoRoot, 'bench', 'results'), { recursive: true });
  const out = path.join(repoRoot, 'bench', 'results', 'ocr.json');
  await writeFile(out, JSON.stringify(result, null, 2));
  console.log(`\nsaved ${path.relative(repoRoot, out)}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
