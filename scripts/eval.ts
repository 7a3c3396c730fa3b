// `npm run eval -- <corpus dir>`: runs a corpus in the manifest format through the real pipeline (HTTP
// upload, queues, workers) and prints document-type accuracy, key-field accuracy, text word F1 (of the OCR
// text and of the signed PDF through pdftotext), the share sent to review, silent errors and signature
// validity, as JSON (also written to bench/results/eval.json).
//   npm run eval -- ../shared/corpus/dev [--limit N] [--base-url http://... --key KEY]
// Without --base-url it boots the whole system in-process on a fresh database.
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { wordF1 } from '../bench/lib/metrics.js';
import { sameValue } from './lib/score.js';
import { existsSync } from 'node:fs';
import { ADMIN_KEY, DEV_CORPUS, REPO_ROOT, SHARED_DEV_CORPUS, makeTestEnv } from '../test/helpers/env.js';
import { Client, waitFor } from '../test/helpers/http.js';

const run = promisify(execFile);

interface Sample {
  id: string;
  files: string[];
  docType: string;
  fields: Record<string, string>;
  lines: string[];
}

interface Doc {
  id: string;
  status: string;
  docType: string | null;
  fields: Record<string, string> | null;
  text: string | null;
  error: { code: string } | null;
  code: string | null;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const RESTING = new Set(['done', 'review', 'failed']);
const UNIT = '000.03.21.H54';

async function pdftotext(pdf: Buffer): Promise<string> {
  const { mkdtemp, rm } = await import('node:fs/promises');
  const dir = await mkdtemp('/tmp/eval-');
  try {
    await writeFile(path.join(dir, 'a.pdf'), pdf);
    const { stdout } = await run('pdftotext', ['-layout', path.join(dir, 'a.pdf'), '-']);
    return stdout;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function pdfsigValid(pdf: Buffer): Promise<boolean> {
  const { mkdtemp, rm } = await import('node:fs/promises');
  const dir = await mkdtemp('/tmp/eval-');
  try {
    await writeFile(path.join(dir, 'a.pdf'), pdf);
    const { stdout } = await run('pdfsig', [path.join(dir, 'a.pdf')]).catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? '' }));
    return /Signature Validation: Signature is Valid/.test(stdout) && /Total document signed/.test(stdout);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const positional = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && !all[i - 1]?.startsWith('--'));
  const corpus = path.resolve(positional[0] ?? (existsSync(SHARED_DEV_CORPUS) ? SHARED_DEV_CORPUS : DEV_CORPUS));
  const limit = Number(arg('limit') ?? Infinity);
  const samples = (JSON.parse(await readFile(path.join(corpus, 'manifest.json'), 'utf8')) as Sample[]).slice(0, limit);

  let stop: () => Promise<void> = async () => undefined;
  let client: Client;
  const baseUrl = arg('base-url');
  if (baseUrl) {
    client = new Client(baseUrl, arg('key') ?? process.env.ADMIN_API_KEY ?? null);
  } else {
    const env = await makeTestEnv({ LOG_LEVEL: 'warn' });
    const { startApp } = await import('../services/app.js');
    const app = await startApp(env.config, 'all');
    client = new Client(app.url!, ADMIN_KEY);
    stop = async () => {
      await app.stop();
      await env.cleanup();
    };
  }

  const started = Date.now();
  try {
    // Every sample is its own dossier; a sample of several files (one per page) is several documents.
    const uploads = await Promise.all(
      samples.map(async (s) => {
        const files = await Promise.all(s.files.map(async (f) => ({ name: f, bytes: await readFile(path.join(corpus, f)) })));
        const res = await client.upload('/v1/dossiers', { unitCode: UNIT, procedureCode: '1.001193', applicantId: '034221659693', channel: 'backlog' }, files);
        if (res.status !== 202) throw new Error(`${s.id}: upload answered ${res.status} ${JSON.stringify(res.body)}`);
        return { sample: s, ids: (res.body.documents as { id: string }[]).map((d) => d.id) };
      }),
    );
    const rows = [];
    for (const u of uploads) {
      const docs: Doc[] = [];
      for (const id of u.ids) {
        docs.push(
          await waitFor(async () => {
            const r = await client.json<Doc>('GET', `/v1/documents/${id}`);
            return RESTING.has(r.body.status) ? r.body : null;
          }, 30 * 60_000, 500),
        );
      }
      const first = docs[0]!;
      const text = docs.map((d) => d.text ?? '').join('\n');
      const reference = u.sample.lines.join('\n');
      const fields: Record<string, string> = Object.assign({}, ...docs.map((d) => d.fields ?? {}));
      const expectedFields = Object.entries(u.sample.fields);
      const fieldHits = expectedFields.filter(([k, v]) => sameValue(k, v, fields[k])).length;
      let pdfF1: number | null = null;
      let signatureValid: boolean | null = null;
      if (docs.every((d) => d.status === 'done')) {
        const pdfs = await Promise.all(docs.map(async (d) => (await client.raw(`/v1/documents/${d.id}/pdf`)).bytes));
        pdfF1 = wordF1((await Promise.all(pdfs.map(pdftotext))).join('\n'), reference);
        signatureValid = (await Promise.all(pdfs.map(pdfsigValid))).every(Boolean);
      }
      rows.push({
        id: u.sample.id,
        expectedType: u.sample.docType,
        docType: first.docType,
        status: first.status,
        error: first.error?.code ?? null,
        typeCorrect: first.docType === u.sample.docType,
        fieldHits,
        fieldTotal: expectedFields.length,
        missedFields: expectedFields.filter(([k, v]) => !sameValue(k, v, fields[k])).map(([k, v]) => ({ field: k, expected: v, got: fields[k] ?? null })),
        textWordF1: +wordF1(text, reference).toFixed(4),
        pdfWordF1: pdfF1 === null ? null : +pdfF1.toFixed(4),
        signatureValid,
      });
    }
    const n = rows.length;
    const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
    const round = (x: number | null) => (x === null ? null : +x.toFixed(4));
    const done = rows.filter((r) => r.status === 'done');
    const summary = {
      corpus,
      documents: n,
      seconds: Math.round((Date.now() - started) / 1000),
      docTypeAccuracy: round(rows.filter((r) => r.typeCorrect).length / n),
      keyFieldAccuracy: round(rows.reduce((a, r) => a + r.fieldHits, 0) / Math.max(1, rows.reduce((a, r) => a + r.fieldTotal, 0))),
      textWordF1: round(mean(rows.map((r) => r.textWordF1))),
      pdfWordF1: round(mean(done.map((r) => r.pdfWordF1 ?? 0))),
      reviewShare: round(rows.filter((r) => r.status === 'review').length / n),
      silentTypeErrors: done.filter((r) => !r.typeCorrect).length,
      failed: rows.filter((r) => r.status === 'failed').length,
      signaturesValid: `${done.filter((r) => r.signatureValid).length}/${done.length}`,
    };
    const out = { summary, documents: rows };
    await mkdir(path.join(REPO_ROOT, 'bench', 'results'), { recursive: true });
    await writeFile(path.join(REPO_ROOT, 'bench', 'results', 'eval.json'), `${JSON.stringify(out, null, 2)}\n`);
    console.log(JSON.stringify(out, null, 2));
  } finally {
    await stop();
  }
}

await main();
// Engine worker threads and pools may keep handles open after stop(); the evaluation is over.
process.exit(0);
