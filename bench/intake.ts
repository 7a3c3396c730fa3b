// Upload-acknowledgement benchmark: latency p50/p95/p99 and throughput for 2 MB scans at 1, 8 and 32
// concurrent clients, against the API run as its own process (as in production) on the real PostgreSQL
// and Redis and the embedded S3 server. Writes bench/results/intake.json.
//   npm run bench:intake [-- --requests-per-client 10 --levels 1,8,32]
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { ADMIN_KEY, REPO_ROOT, makeTestEnv } from '../test/helpers/env.js';
import { freePort, spawnApp, waitReady } from '../test/helpers/process.js';
import { spawn } from 'node:child_process';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : def;
}

const levels = arg('levels', '1,8,32').split(',').map(Number);
const perClient = Number(arg('requests-per-client', '12'));
const TARGET_BYTES = 2 * 1024 * 1024;

/** A 2 MB greyscale scan-like JPEG; each upload gets a unique COM segment so no two are duplicates. */
async function baseScan(): Promise<Buffer> {
  const w = 2480;
  const h = 3508;
  const noise = randomBytes(w * h);
  for (let q = 95; q >= 30; q -= 5) {
    const jpg = await sharp(noise, { raw: { width: w, height: h, channels: 1 } }).blur(0.6).jpeg({ quality: q }).toBuffer();
    if (jpg.length <= TARGET_BYTES * 1.1) return jpg;
  }
  throw new Error('could not make a 2 MB scan');
}

function uniqueCopy(jpg: Buffer): Buffer {
  const comment = Buffer.concat([Buffer.from([0xff, 0xfe, 0x00, 0x12]), randomBytes(16)]);
  return Buffer.concat([jpg.subarray(0, 2), comment, jpg.subarray(2)]);
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;

async function main() {
  // The store runs in its own process, as MinIO does in production, so the API's event loop is the API's.
  const s3Port = await freePort();
  const env = await makeTestEnv({
    LOG_LEVEL: 'warn',
    S3_ENDPOINT: `http://127.0.0.1:${s3Port}`,
    S3_ACCESS_KEY: 'S3RVER',
    S3_SECRET_KEY: 'S3RVER',
  });
  const s3 = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'scripts', 's3-dev.ts')], {
    env: { ...process.env, DATA_DIR: env.dataDir, EMBEDDED_S3_PORT: String(s3Port) },
    stdio: 'ignore',
  });
  await new Promise((r) => setTimeout(r, 3000));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const app = spawnApp({ ...env.env, PORT: String(port) }, 'api');
  try {
    await waitReady(base, app);
    const scan = await baseScan();
    const results = [];
    for (const clients of levels) {
      const latencies: number[] = [];
      let bytes = 0;
      let errors = 0;
      const started = performance.now();
      await Promise.all(
        Array.from({ length: clients }, async () => {
          for (let i = 0; i < perClient; i++) {
            const file = uniqueCopy(scan);
            const form = new FormData();
            form.append('unitCode', '000.03.21.H54');
            form.append('procedureCode', '1.001193');
            form.append('applicantId', '034221659693');
            form.append('channel', 'desk');
            form.append('file', new Blob([file]), 'scan.jpg');
            const t0 = performance.now();
            const res = await fetch(`${base}/v1/dossiers`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_KEY}` }, body: form });
            await res.arrayBuffer();
            latencies.push(performance.now() - t0);
            if (res.status === 202) bytes += file.length;
            else errors += 1;
          }
        }),
      );
      const seconds = (performance.now() - started) / 1000;
      latencies.sort((a, b) => a - b);
      const row = {
        clients,
        requests: latencies.length,
        errors,
        fileBytes: scan.length,
        p50Ms: +percentile(latencies, 50).toFixed(1),
        p95Ms: +percentile(latencies, 95).toFixed(1),
        p99Ms: +percentile(latencies, 99).toFixed(1),
        requestsPerSecond: +(latencies.length / seconds).toFixed(1),
        throughputMBps: +(bytes / 1024 / 1024 / seconds).toFixed(1),
      };
      console.log(JSON.stringify(row));
      results.push(row);
    }
    // The same puts straight to the store, without the API: the ceiling the API is measured against.
    const { createObjectStore } = await import('../storage/objects.js');
    const store = await createObjectStore({
      endpoint: env.config.S3_ENDPOINT,
      accessKey: 'S3RVER',
      secretKey: 'S3RVER',
      region: 'us-east-1',
      buckets: ['bench-direct'],
    });
    const storeOnly: { clients: number; throughputMBps: number }[] = [];
    for (const clients of levels) {
      let bytes = 0;
      const started = performance.now();
      await Promise.all(
        Array.from({ length: clients }, async () => {
          for (let i = 0; i < perClient; i++) {
            const file = uniqueCopy(scan);
            await store.put('bench-direct', `k/${randomBytes(8).toString('hex')}`, file);
            bytes += file.length;
          }
        }),
      );
      const seconds = (performance.now() - started) / 1000;
      const row = { clients, throughputMBps: +(bytes / 1024 / 1024 / seconds).toFixed(1) };
      console.log(JSON.stringify({ storeOnly: row }));
      storeOnly.push(row);
    }
    await store.close();
    const out = {
      benchmark: 'intake',
      date: new Date().toISOString(),
      machine: { cpus: (await import('node:os')).availableParallelism(), node: process.version },
      store: 's3rver (development S3 server) in its own process',
      requestsPerClient: perClient,
      results,
      storeOnly,
      apiShareOfStoreThroughput: results.map((r, i) => ({
        clients: r.clients,
        ratio: storeOnly[i] ? +(r.throughputMBps / storeOnly[i]!.throughputMBps).toFixed(2) : null,
      })),
    };
    await mkdir(path.join(REPO_ROOT, 'bench', 'results'), { recursive: true });
    await writeFile(path.join(REPO_ROOT, 'bench', 'results', 'intake.json'), `${JSON.stringify(out, null, 2)}\n`);
    console.log('written bench/results/intake.json');
  } finally {
    app.child.kill('SIGTERM');
    await app.exited;
    s3.kill('SIGTERM');
    await env.cleanup();
  }
}

await main();
