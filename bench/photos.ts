// Photo-set benchmark (issue #14): our OCR stage against native tesseract (psm 3 and psm 6) on every
// condition of test/fixtures/photos (made by `npm run fixtures:photos`), optionally the dev corpus too.
// Reports word F1, CER and seconds a page per condition; JSON into bench/results/photos.json.
// Usage: flock /tmp/motcua-bench.lock npm run bench:photos -- [--dev] [--impl path/to/services/ocr/index.ts]
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { loadManifest, mediaTypeOf, type CorpusSample } from './lib/corpus.js';
import { cer, wordF1 } from './lib/metrics.js';
import { DEV_CORPUS, REPO_ROOT } from '../test/helpers/env.js';
import type * as Ocr from '../services/ocr/index.js';

const run = promisify(execFile);
const PHOTOS = path.join(REPO_ROOT, 'test', 'fixtures', 'photos');

interface Row {
  set: string;
  condition: string;
  id: string;
  ours: { f1: number; cer: number; seconds: number; error?: string; rotation?: number };
  psm3: { f1: number; cer: number; seconds: number };
  psm6: { f1: number; cer: number; seconds: number };
}

const r3 = (n: number) => Math.round(n * 1000) / 1000;

async function native(file: string, psm: 3 | 6, tmp: string): Promise<{ text: string; seconds: number }> {
  let input = file;
  // Native tesseract reads PDFs not at all; their page image is taken out first (not timed).
  if (file.endsWith('.pdf')) {
    const prefix = path.join(tmp, path.basename(file, '.pdf'));
    await run('pdftoppm', ['-r', '300', '-png', '-singlefile', '-f', '1', '-l', '1', file, prefix]);
    input = `${prefix}.png`;
  }
  const t0 = Date.now();
  try {
    const { stdout } = await run('tesseract', [input, 'stdout', '-l', 'vie', '--psm', String(psm)], { env: { ...process.env, OMP_THREAD_LIMIT: '1' }, maxBuffer: 64 << 20 });
    return { text: stdout, seconds: (Date.now() - t0) / 1000 };
  } catch {
    // A leptonica without WebP: the same pixels as PNG (conversion not timed).
    const png = path.join(tmp, `${path.basename(file)}.png`);
    await sharp(file).png().toFile(png);
    const t1 = Date.now();
    const { stdout } = await run('tesseract', [png, 'stdout', '-l', 'vie', '--psm', String(psm)], { env: { ...process.env, OMP_THREAD_LIMIT: '1' }, maxBuffer: 64 << 20 });
    return { text: stdout, seconds: (Date.now() - t1) / 1000 };
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const implArg = argv.indexOf('--impl');
  const impl = implArg >= 0 ? path.resolve(argv[implArg + 1] as string) : path.join(REPO_ROOT, 'services', 'ocr', 'index.ts');
  const ocr = (await import(pathToFileURL(impl).href)) as typeof Ocr;
  const sets: { name: string; dir: string; samples: (CorpusSample & { condition?: string })[] }[] = [
    { name: 'photos', dir: PHOTOS, samples: await loadManifest(PHOTOS) },
  ];
  if (argv.includes('--dev')) sets.unshift({ name: 'dev', dir: DEV_CORPUS, samples: (await loadManifest(DEV_CORPUS)).filter((s) => s.files.length === 1) });
  const engine = await ocr.createOcrEngine({ workers: 1, recycleAfterPages: 20, pageTimeoutMs: 180_000 });
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'bench-photos-'));
  const rows: Row[] = [];
  try {
    for (const set of sets) {
      for (const s of set.samples) {
        const file = path.join(set.dir, s.files[0] as string);
        const ref = s.lines.join('\n');
        const bytes = await readFile(file);
        let ours: Row['ours'];
        const t0 = Date.now();
        try {
          const { ocr: result } = await ocr.processDocument(engine, { bytes, mediaType: mediaTypeOf(file) }, { title: s.id, unitCode: 'BENCH', dossierCode: 'BENCH', documentId: s.id });
          ours = { f1: r3(wordF1(result.text, ref)), cer: r3(cer(result.text, ref)), seconds: (Date.now() - t0) / 1000 / result.pages.length, rotation: result.pages[0]?.rotation };
        } catch (err) {
          ours = { f1: 0, cer: 1, seconds: (Date.now() - t0) / 1000, error: (err as { code?: string }).code ?? String(err).slice(0, 80) };
        }
        const n3 = await native(file, 3, tmp);
        const n6 = await native(file, 6, tmp);
        const row: Row = {
          set: set.name,
          condition: s.condition ?? (s.scan.photo ? 'photo' : s.format),
          id: s.id,
          ours,
          psm3: { f1: r3(wordF1(n3.text, ref)), cer: r3(cer(n3.text, ref)), seconds: n3.seconds },
          psm6: { f1: r3(wordF1(n6.text, ref)), cer: r3(cer(n6.text, ref)), seconds: n6.seconds },
        };
        rows.push(row);
        console.log(`${row.set.padEnd(7)}${row.condition.padEnd(22)} ours F1 ${row.ours.f1} CER ${row.ours.cer} ${row.ours.seconds.toFixed(1)} s${row.ours.error ? ` (${row.ours.error})` : ''} | psm3 ${row.psm3.f1}/${row.psm3.cer} ${row.psm3.seconds.toFixed(1)} s | psm6 ${row.psm6.f1}/${row.psm6.cer} ${row.psm6.seconds.toFixed(1)} s`);
      }
    }
  } finally {
    await engine.close();
    await rm(tmp, { recursive: true, force: true });
  }
  const mean = (xs: number[]) => r3(xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length));
  const summary = Object.fromEntries(
    [...new Set(rows.map((r) => r.set))].map((set) => {
      const rs = rows.filter((r) => r.set === set);
      const side = (k: 'ours' | 'psm3' | 'psm6') => ({ f1: mean(rs.map((r) => r[k].f1)), cer: mean(rs.map((r) => r[k].cer)), seconds: mean(rs.map((r) => r[k].seconds)) });
      return [set, { pages: rs.length, ours: side('ours'), psm3: side('psm3'), psm6: side('psm6') }];
    }),
  );
  console.log(JSON.stringify(summary, null, 2));
  const out = { date: new Date().toISOString(), impl: path.relative(REPO_ROOT, impl), summary, rows };
  await mkdir(path.join(REPO_ROOT, 'bench', 'results'), { recursive: true });
  const name = argv.includes('--out') ? (argv[argv.indexOf('--out') + 1] as string) : 'photos.json';
  await writeFile(path.join(REPO_ROOT, 'bench', 'results', name), `${JSON.stringify(out, null, 2)}\n`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
