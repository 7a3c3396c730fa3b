// Loads the dev corpus for the tests: the ground-truth lines of every paper (shipped in
// test/fixtures/corpus/dev-lines), and native tesseract's reading of the scans the repository ships.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import { promisify } from 'node:util';
import path from 'node:path';
import { DEV_CORPUS, FIXTURE_CORPUS } from '../helpers/env.js';

export interface Sample {
  id: string;
  docType: string;
  fields: Record<string, string>;
  lines: string[];
  /** Page turned 90/180/270° in the scan: native tesseract without uprighting reads garbage. */
  turned: boolean;
}

// The ground truth of every dev-corpus paper (text only, no images): the classifier and extractor tests
// need the printed lines, not the scans. CORPUS_DIR points at a full corpus instead.
export const CORPUS_DIR = process.env['CORPUS_DIR'] ? DEV_CORPUS : path.join(FIXTURE_CORPUS, 'dev-lines');

export function loadSamples(): Sample[] {
  const raw = JSON.parse(readFileSync(path.join(CORPUS_DIR, 'manifest.json'), 'utf8')) as unknown;
  if (!Array.isArray(raw)) throw new Error('manifest is not a list');
  return raw.map((r: unknown) => {
    const o = r as Record<string, unknown>;
    return {
      id: String(o['id']),
      docType: String(o['docType']),
      fields: (o['fields'] ?? {}) as Record<string, string>,
      lines: (o['lines'] ?? []) as string[],
      turned: Number((o['scan'] as Record<string, unknown> | undefined)?.['turned'] ?? 0) !== 0,
    };
  });
}

/** The ground truth; a missing corpus fails the suite (it never silently skips). */
export function requireCorpus(): void {
  if (!existsSync(path.join(CORPUS_DIR, 'manifest.json'))) throw new Error(`no corpus manifest in ${CORPUS_DIR}`);
}

const run = promisify(execFile);

/**
 * Native tesseract's reading of every paper whose scan the repository ships (test/fixtures/corpus/dev,
 * or CORPUS_DIR), cached per scan and tesseract version. Tesseract with Vietnamese is required (CI
 * installs tesseract-ocr-vie): a missing engine fails the suite instead of skipping it.
 */
export async function nativeOcrTexts(): Promise<Map<string, string>> {
  const version = await run('tesseract', ['--version']).then(
    (r) => r.stdout.split('\n')[0] ?? 'tesseract',
    (err: Error) => {
      throw new Error(`native tesseract is required for this suite (Debian: apt-get install tesseract-ocr tesseract-ocr-vie): ${err.message}`);
    },
  );
  const langs = (await run('tesseract', ['--list-langs'])).stdout;
  if (!/^vie$/m.test(langs)) throw new Error('tesseract has no Vietnamese data (Debian: apt-get install tesseract-ocr-vie)');
  const cache = path.join(os.tmpdir(), `motcua-native-ocr-${createHash('sha1').update(version).digest('hex').slice(0, 8)}`);
  await mkdir(cache, { recursive: true });
  const samples = JSON.parse(readFileSync(path.join(DEV_CORPUS, 'manifest.json'), 'utf8')) as { id: string; files: string[] }[];
  const out = new Map<string, string>();
  await Promise.all(
    samples.map(async (s) => {
      const pages: string[] = [];
      for (const f of s.files) {
        const file = path.join(DEV_CORPUS, f);
        const bytes = readFileSync(file);
        const cached = path.join(cache, `${createHash('sha256').update(bytes).digest('hex')}.txt`);
        if (existsSync(cached)) {
          pages.push(readFileSync(cached, 'utf8'));
          continue;
        }
        let inputs = [file];
        if (f.endsWith('.pdf')) {
          const prefix = path.join(cache, `img-${s.id}`);
          await run('pdfimages', ['-all', file, prefix]);
          inputs = readdirSync(cache).filter((n) => n.startsWith(`img-${s.id}`)).sort().map((n) => path.join(cache, n));
        }
        let text = '';
        for (const input of inputs) text += (await run('tesseract', [input, 'stdout', '-l', 'vie'], { env: { ...process.env, OMP_THREAD_LIMIT: '1' } })).stdout;
        writeFileSync(cached, text);
        pages.push(text);
      }
      out.set(s.id, pages.join('\n'));
    }),
  );
  return out;
}

export { sameValue } from '../../scripts/lib/score.js';
