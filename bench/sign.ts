// Signing throughput on a realistic scan: one A4 page carrying a ~1 MB noise JPEG (incompressible,
// like a photographed document). Writes bench/results/sign.json.
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import sharp from 'sharp';
import { PDFDocument } from 'pdf-lib';
import { initDevPki, loadSigningKeys, loadTrustStore, signPdf, verifyPdf } from '../services/signing/index.js';

const ITERATIONS = Number(process.env.BENCH_SIGN_ITERATIONS ?? 200);
const WARMUP = 10;

async function noisePdf(): Promise<Uint8Array> {
  const width = 1240;
  const height = 1754;
  const jpeg = await sharp(randomBytes(width * height), { raw: { width, height, channels: 1 } }).jpeg({ quality: 60 }).toBuffer();
  const doc = await PDFDocument.create();
  const page = doc.addPage([595, 842]);
  page.drawImage(await doc.embedJpg(jpeg), { x: 0, y: 0, width: 595, height: 842 });
  return doc.save();
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'bench-sign-'));
  const passphrase = 'bench-only';
  await initDevPki({ dir, passphrase, units: [{ code: '000.00.12.H54', name: 'Ủy ban nhân dân xã Đông Hưng' }] });
  const signer = (await loadSigningKeys({ dir, passphrase })).get('000.00.12.H54');
  if (!signer) throw new Error('no signer');
  const trust = await loadTrustStore({ dir });
  const pdf = await noisePdf();

  const signMs: number[] = [];
  const verifyMs: number[] = [];
  // CPU time is reported next to wall time because the 2 shared cores are often busy with OCR.
  const signCpuMs: number[] = [];
  let last: Uint8Array = pdf;
  for (let i = 0; i < WARMUP + ITERATIONS; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const out = await signPdf(pdf, signer, { code: `H54.12-261128-${String(i).padStart(6, '0')}`, signedAt: new Date() });
    const t1 = performance.now();
    const c1 = process.cpuUsage(c0);
    const v = await verifyPdf(out, trust);
    const t2 = performance.now();
    if (!v.valid) throw new Error(`verification failed: ${v.reason}`);
    if (i >= WARMUP) {
      signMs.push(t1 - t0);
      signCpuMs.push((c1.user + c1.system) / 1000);
      verifyMs.push(t2 - t1);
    }
    last = out;
  }
  signMs.sort((a, b) => a - b);
  verifyMs.sort((a, b) => a - b);
  signCpuMs.sort((a, b) => a - b);
  const round = (n: number): number => Math.round(n * 100) / 100;
  const result = {
    date: new Date().toISOString(),
    iterations: ITERATIONS,
    inputBytes: pdf.length,
    outputBytes: last.length,
    sign: { medianMs: round(percentile(signMs, 50)), p95Ms: round(percentile(signMs, 95)), maxMs: round(signMs[signMs.length - 1] ?? NaN) },
    signCpu: { medianMs: round(percentile(signCpuMs, 50)), p95Ms: round(percentile(signCpuMs, 95)) },
    loadAverage: os.loadavg().map(round),
    verify: { medianMs: round(percentile(verifyMs, 50)), p95Ms: round(percentile(verifyMs, 95)) },
    goalMedianMs: 20,
    node: process.version,
  };
  await mkdir('bench/results', { recursive: true });
  await writeFile('bench/results/sign.json', `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result, null, 2));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
