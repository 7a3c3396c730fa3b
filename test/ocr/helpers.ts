import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadManifest, type CorpusSample } from '../../bench/lib/corpus.js';
import type { PdfMeta } from '../../services/ocr/index.js';

const run = promisify(execFile);
import { DEV_CORPUS as CORPUS_DIR } from '../helpers/env.js';

export { CORPUS_DIR };

let manifest: Promise<CorpusSample[]> | null = null;
export async function sample(id: string): Promise<{ sample: CorpusSample; bytes: Buffer; reference: string }> {
  manifest ??= loadManifest(CORPUS_DIR);
  const s = (await manifest).find((m) => m.id === id);
  const file = s?.files[0];
  if (!s || !file) throw new Error(`corpus sample ${id} is missing`);
  return { sample: s, bytes: await readFile(path.join(CORPUS_DIR, file)), reference: s.lines.join('\n') };
}

export const META: PdfMeta = {
  title: 'Giấy khai sinh',
  unitCode: 'H54.01',
  dossierCode: 'H54.01-261128-0001',
  documentId: '7f6c2a52-1d8e-4b3c-9a35-0c2b1f0e9d11',
  code: null,
};

async function withTempPdf<T>(pdf: Uint8Array, fn: (file: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ocr-test-'));
  const file = path.join(dir, 'doc.pdf');
  try {
    await writeFile(file, pdf);
    return await fn(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function pdftotext(pdf: Uint8Array): Promise<string> {
  return withTempPdf(pdf, async (f) => (await run('pdftotext', ['-enc', 'UTF-8', f, '-'])).stdout);
}

/** qpdf exits 0 only when it found no errors (2 = errors, 3 = warnings). */
export function qpdfCheck(pdf: Uint8Array): Promise<{ ok: boolean; output: string }> {
  return withTempPdf(pdf, async (f) => {
    try {
      const { stdout } = await run('qpdf', ['--check', f]);
      return { ok: true, output: stdout };
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string };
      return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
    }
  });
}

export function pdfinfo(pdf: Uint8Array, ...args: string[]): Promise<string> {
  return withTempPdf(pdf, async (f) => (await run('pdfinfo', [...args, f])).stdout);
}

export function pdfimagesList(pdf: Uint8Array): Promise<string> {
  return withTempPdf(pdf, async (f) => (await run('pdfimages', ['-list', f])).stdout);
}

/** The first page rasterised by poppler as 8-bit grey pixels, as a viewer would show it. */
export function rasterise(pdf: Uint8Array, dpi: number): Promise<{ data: Buffer; width: number; height: number }> {
  return withTempPdf(pdf, async (f) => {
    const out = path.join(path.dirname(f), 'page');
    await run('pdftoppm', ['-gray', '-r', String(dpi), '-singlefile', '-f', '1', '-l', '1', f, out]);
    const pgm = await readFile(`${out}.pgm`);
    const m = /^P5\s+(\d+)\s+(\d+)\s+255\s/.exec(pgm.subarray(0, 40).toString('latin1'));
    if (!m) throw new Error('pdftoppm did not write a PGM');
    const width = Number(m[1]);
    const height = Number(m[2]);
    return { data: pgm.subarray(pgm.length - width * height), width, height };
  });
}
