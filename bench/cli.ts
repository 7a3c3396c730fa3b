// `sohoa ingest` against a minimal uploader: the same 200 scans (dev-corpus pages, each made unique so
// none is a duplicate) sent as one dossier each, at the same concurrency, to the same API (its own
// process, intake only, the development S3 server in another process). The tool's wall time includes
// its start-up, hashing, state file and idempotency keys; the goal is at most 10% over the direct
// uploads. Rounds alternate (direct, tool, direct, tool, ...) so a slow moment hits both.
// Writes bench/results/cli.json.
//   flock /tmp/motcua-bench.lock npm run bench:cli [-- --files 200 --concurrency 8 --rounds 3]
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { openAsBlob } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ADMIN_KEY, DEV_CORPUS, REPO_ROOT, makeTestEnv } from '../test/helpers/env.js';
import { freePort, spawnApp, waitReady } from '../test/helpers/process.js';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : def;
}

const FILES = Number(arg('files', '200'));
const CONCURRENCY = Number(arg('concurrency', '8'));
const ROUNDS = Number(arg('rounds', '3'));
const UNIT = '000.03.21.H54';
const FIELDS = { unitCode: UNIT, procedureCode: '1.001193', applicantId: '034221659693', channel: 'backlog' };
const SOHOA = path.join(REPO_ROOT, 'cli', 'sohoa.mjs');

/** The same page with a few bytes no reader looks at, so every upload is new to the catalog. */
function unique(bytes: Buffer, ext: string): Buffer {
  const tag = randomBytes(16);
  if (ext === '.jpg') return Buffer.concat([bytes.subarray(0, 2), Buffer.from([0xff, 0xfe, 0x00, 0x12]), tag, bytes.subarray(2)]);
  if (ext === '.pdf') return Buffer.concat([bytes, Buffer.from(`\n%${tag.toString('hex')}\n`)]);
  return Buffer.concat([bytes, tag]); // TIFF: offsets are absolute, trailing bytes are never read
}

async function makeFolder(sources: { name: string; bytes: Buffer }[], count: number): Promise<{ dir: string; bytes: number }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sohoa-bench-'));
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    const src = sources[i % sources.length]!;
    const ext = path.extname(src.name);
    const data = unique(src.bytes, ext);
    bytes += data.length;
    await writeFile(path.join(dir, `${String(i).padStart(4, '0')}-${src.name}`), data);
  }
  return { dir, bytes };
}

/** The baseline: what a script would do by hand, N uploads in flight, nothing else. */
async function direct(base: string, dir: string): Promise<{ seconds: number; errors: number }> {
  const files = (await readdir(dir)).sort();
  let next = 0;
  let errors = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < files.length) {
        const name = files[next++]!;
        const form = new FormData();
        for (const [k, v] of Object.entries(FIELDS)) form.append(k, v);
        form.append('file', await openAsBlob(path.join(dir, name)), name);
        const res = await fetch(`${base}/v1/dossiers`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_KEY}` }, body: form });
        await res.arrayBuffer();
        if (res.status !== 202) errors++;
      }
    }),
  );
  return { seconds: (performance.now() - started) / 1000, errors };
}

function runTool(args: string[], env: Record<string, string>): Promise<{ seconds: number; code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, [SOHOA, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ seconds: (performance.now() - started) / 1000, code, stdout, stderr }));
  });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

async function main() {
  const sources = await Promise.all(
    (await readdir(DEV_CORPUS))
      .filter((n) => /\.(jpg|tif|pdf)$/.test(n))
      .sort()
      .map(async (name) => ({ name, bytes: await readFile(path.join(DEV_CORPUS, name)) })),
  );
  const s3Port = await freePort();
  const env = await makeTestEnv({ LOG_LEVEL: 'warn', S3_ENDPOINT: `http://127.0.0.1:${s3Port}`, S3_ACCESS_KEY: 'S3RVER', S3_SECRET_KEY: 'S3RVER' });
  const s3 = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'scripts', 's3-dev.ts')], {
    env: { ...process.env, DATA_DIR: env.dataDir, EMBEDDED_S3_PORT: String(s3Port) },
    stdio: 'ignore',
  });
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const app = spawnApp({ ...env.env, PORT: String(port) }, 'api');
  const folders: string[] = [];
  try {
    // The store is up when the API is ready (its start-up creates the buckets).
    await waitReady(base, app, 120_000);
    const toolEnv = { SOHOA_URL: base, SOHOA_KEY: ADMIN_KEY, LANG: 'C.UTF-8' };
    // Warm-up: one small batch each way, so neither side pays first-connection or JIT costs alone.
    const warm = await makeFolder(sources, 10);
    folders.push(warm.dir);
    await direct(base, warm.dir);
    const warmTool = await makeFolder(sources, 10);
    folders.push(warmTool.dir);
    await runTool(['ingest', warmTool.dir, '--unit', UNIT, '--procedure', FIELDS.procedureCode, '--applicant', FIELDS.applicantId, '--state', `${warmTool.dir}.state.json`], toolEnv);

    const startup: number[] = [];
    for (let i = 0; i < 3; i++) startup.push((await runTool(['--version'], toolEnv)).seconds);

    const directRuns: { seconds: number; errors: number }[] = [];
    const toolRuns: { seconds: number; innerSeconds: number; accepted: number; posts: number }[] = [];
    let bytes = 0;
    for (let r = 0; r < ROUNDS; r++) {
      const a = await makeFolder(sources, FILES);
      const b = await makeFolder(sources, FILES);
      folders.push(a.dir, b.dir);
      bytes = a.bytes;
      const d = await direct(base, a.dir);
      directRuns.push(d);
      const state = `${b.dir}.state.json`;
      folders.push(state);
      const tool = await runTool(
        ['ingest', b.dir, '--unit', UNIT, '--procedure', FIELDS.procedureCode, '--applicant', FIELDS.applicantId, '--concurrency', String(CONCURRENCY), '--state', state, '--json'],
        toolEnv,
      );
      if (tool.code !== 0) throw new Error(`sohoa exited ${tool.code}: ${tool.stderr}`);
      const summary = JSON.parse(tool.stdout).summary as { accepted: number; elapsedSeconds: number; requests: { POST: number } };
      toolRuns.push({ seconds: tool.seconds, innerSeconds: summary.elapsedSeconds, accepted: summary.accepted, posts: summary.requests.POST });
      console.log(JSON.stringify({ round: r + 1, directSeconds: round(d.seconds), toolSeconds: round(tool.seconds), toolInnerSeconds: round(summary.elapsedSeconds) }));
    }
    const directMedian = median(directRuns.map((x) => x.seconds));
    const toolMedian = median(toolRuns.map((x) => x.seconds));
    const out = {
      benchmark: 'cli',
      date: new Date().toISOString(),
      machine: { cpus: os.availableParallelism(), node: process.version, loadAverage1m: round(os.loadavg()[0]!) },
      setup: 'API (intake only) and the development S3 server each in their own process; one dossier per scan',
      files: FILES,
      megabytes: round(bytes / 1024 / 1024, 1),
      concurrency: CONCURRENCY,
      rounds: ROUNDS,
      direct: {
        seconds: directRuns.map((x) => round(x.seconds)),
        medianSeconds: round(directMedian),
        filesPerSecond: round(FILES / directMedian, 1),
        errors: directRuns.reduce((n, x) => n + x.errors, 0),
      },
      tool: {
        seconds: toolRuns.map((x) => round(x.seconds)),
        medianSeconds: round(toolMedian),
        filesPerSecond: round(FILES / toolMedian, 1),
        innerSeconds: toolRuns.map((x) => round(x.innerSeconds)),
        startupSeconds: round(median(startup)),
        accepted: toolRuns.map((x) => x.accepted),
        posts: toolRuns.map((x) => x.posts),
      },
      ratio: round(toolMedian / directMedian, 3),
      ratioWithoutStartup: round(median(toolRuns.map((x) => x.innerSeconds)) / directMedian, 3),
      goal: 1.1,
      met: toolMedian / directMedian <= 1.1,
    };
    console.log(JSON.stringify(out, null, 2));
    await mkdir(path.join(REPO_ROOT, 'bench', 'results'), { recursive: true });
    await writeFile(path.join(REPO_ROOT, 'bench', 'results', 'cli.json'), `${JSON.stringify(out, null, 2)}\n`);
    console.log('written bench/results/cli.json');
  } finally {
    app.child.kill('SIGTERM');
    await app.exited;
    s3.kill('SIGTERM');
    await env.cleanup();
    for (const f of folders) await rm(f, { recursive: true, force: true });
  }
}

await main();
