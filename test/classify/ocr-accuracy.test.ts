// The reader's accuracy on every scan the repository ships (test/fixtures/corpus/dev, or CORPUS_DIR):
// our OCR (cleanup, tesseract.js, searchable PDF) then the classifier and the field extractors, scored
// the way ../shared/corpus/README.md scores a pipeline. Runs in CI on every change.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOcrEngine, processDocument, type OcrEngine } from '../../services/ocr/index.js';
import { analyze, loadCatalog, loadSeedModel } from '../../services/classify/index.js';
import { wordF1 } from '../../bench/lib/metrics.js';
import { loadManifest, mediaTypeOf, type CorpusSample } from '../../bench/lib/corpus.js';
import { sameValue } from '../../scripts/lib/score.js';
import { DEV_CORPUS } from '../helpers/env.js';

interface Read {
  s: CorpusSample & { fields: Record<string, string> };
  text: string;
  f1: number;
  docType: string;
  review: boolean;
  fields: Record<string, string>;
}

let engine: OcrEngine;
const reads: Read[] = [];

beforeAll(async () => {
  engine = await createOcrEngine({ workers: 2, recycleAfterPages: 25, pageTimeoutMs: 180_000 });
  const samples = (await loadManifest(DEV_CORPUS)) as Read['s'][];
  const catalog = loadCatalog();
  const model = loadSeedModel();
  await Promise.all(
    samples.map(async (s) => {
      const texts: string[] = [];
      for (const f of s.files) {
        const { ocr } = await processDocument(engine, { bytes: await readFile(path.join(DEV_CORPUS, f)), mediaType: mediaTypeOf(f) }, { title: s.id, unitCode: '000.03.21.H54', dossierCode: 'x', documentId: s.id, code: null });
        texts.push(ocr.text);
      }
      const text = texts.join('\n');
      const a = analyze(text, model, catalog);
      reads.push({ s, text, f1: wordF1(text, s.lines.join('\n')), docType: a.classification.docType, review: a.needsReview, fields: a.extraction.fields });
    }),
  );
}, 900_000);

afterAll(async () => {
  await engine?.close();
});

describe('reading the shipped scans', () => {
  it('reads the text: word F1 at least 0.97 on average and 0.9 on every paper', () => {
    expect(reads.length).toBeGreaterThanOrEqual(15);
    const mean = reads.reduce((n, r) => n + r.f1, 0) / reads.length;
    console.log(`word F1: mean ${mean.toFixed(3)}, lowest ${Math.min(...reads.map((r) => r.f1)).toFixed(3)} over ${reads.length} papers`);
    expect(mean).toBeGreaterThanOrEqual(0.97);
    for (const r of reads) expect(r.f1, r.s.id).toBeGreaterThanOrEqual(0.9);
  });

  it('types every paper right or sends it to a person: no silent type error', () => {
    const wrong = reads.filter((r) => r.docType !== r.s.docType);
    const silent = wrong.filter((r) => !r.review);
    console.log(`type: ${reads.length - wrong.length}/${reads.length} right, ${silent.length} silent errors`);
    expect(silent.map((r) => r.s.id)).toEqual([]);
    expect((reads.length - wrong.length) / reads.length).toBeGreaterThanOrEqual(0.95);
  });

  it('reads the key fields (at least 0.92), and any wrong value goes to a person', () => {
    let n = 0;
    let ok = 0;
    const silent: string[] = [];
    for (const r of reads) {
      for (const [k, v] of Object.entries(r.s.fields)) {
        n += 1;
        if (sameValue(k, v, r.fields[k])) ok += 1;
        else if (!r.review) silent.push(`${r.s.id}.${k}`);
      }
    }
    console.log(`key fields: ${ok}/${n} = ${(ok / n).toFixed(3)}`);
    expect(ok / n).toBeGreaterThanOrEqual(0.92);
    expect(silent).toEqual([]);
  });
});
