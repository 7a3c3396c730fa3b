// Loads the dev corpus for the tests: manifest lines always (CI has the shared corpus), native
// tesseract text only when /tmp/ocr-text was produced on this machine.
import { existsSync, readFileSync } from 'node:fs';
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
export const OCR_DIR = process.env['OCR_TEXT_DIR'] ?? '/tmp/ocr-text';

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

export function ocrText(id: string): string | null {
  const p = path.join(OCR_DIR, `${id}.txt`);
  return existsSync(p) ? readFileSync(p, 'utf8') : null;
}

export function hasCorpus(): boolean {
  return existsSync(path.join(CORPUS_DIR, 'manifest.json'));
}

export { sameValue } from '../../scripts/lib/score.js';
