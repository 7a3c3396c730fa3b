// The whole pipeline through HTTP: upload → ingest → OCR → classify and code → sign → done, checked with
// the independent tools (pdfsig with an NSS database trusting the development CA, pdftotext, qpdf); and a
// paper outside the catalog going to review, confirmed by a person, then coded and signed.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { copyFile, readdir, rename } from 'node:fs/promises';
import { QueueEvents } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from '../../services/app.js';
import { DIGITIZED_CODE_RE, RESULT_CODE_RE } from '../../services/codes/index.js';
import { wordF1 } from '../../bench/lib/metrics.js';
import { sameValue } from '../../scripts/lib/score.js';
import { ADMIN_KEY, DEV_CORPUS, makeTestEnv, type TestEnv } from '../helpers/env.js';
import { Client, corpusFile, waitFor } from '../helpers/http.js';
import { nssDbTrusting, run, tempDir, writeTemp } from '../signing/helpers.js';

const UNIT = '000.03.21.H54';
const RESTING = new Set(['done', 'review', 'failed']);

interface ManifestEntry {
  id: string;
  files: string[];
  docType: string;
  fields: Record<string, string>;
  lines: string[];
}

let env: TestEnv;
let app: RunningApp;
let admin: Client;
let desk: Client;
let archive: Client;
let manifest: Map<string, ManifestEntry>;

async function key(role: string): Promise<Client> {
  const res = await admin.json('POST', '/v1/api-keys', { role, unitCode: UNIT });
  return admin.withKey(res.body.key);
}

async function settle(id: string): Promise<any> {
  return waitFor(async () => {
    const r = await desk.json('GET', `/v1/documents/${id}`);
    return RESTING.has(r.body.status) ? r.body : null;
  }, 240_000, 250);
}

beforeAll(async () => {
  env = await makeTestEnv();
  app = await startApp(env.config, 'all');
  admin = new Client(app.url!, ADMIN_KEY);
  desk = await key('desk');
  archive = await key('archive');
  const list = JSON.parse(await readFile(path.join(DEV_CORPUS, 'manifest.json'), 'utf8')) as ManifestEntry[];
  manifest = new Map(list.map((m) => [m.id, m]));
});

afterAll(async () => {
  await app?.stop();
  await env?.cleanup();
});

/** The two papers of the first dossier, once they rest (later tests use one as a `done` document). */
let docs: any[];

describe('a dossier through the whole pipeline', () => {
  let dossierCode: string;

  beforeAll(async () => {
    const files = [await corpusFile(DEV_CORPUS, 'giay-khai-sinh-03.jpg'), await corpusFile(DEV_CORPUS, 'to-khai-dang-ky-khai-sinh-02.tif')];
    const res = await desk.upload('/v1/dossiers', { unitCode: UNIT, procedureCode: '1.001193', applicantId: '034221659693', channel: 'desk', roles: 'result,component' }, files);
    expect(res.status).toBe(202);
    dossierCode = res.body.dossierCode;
    docs = await Promise.all(res.body.documents.map((d: { id: string }) => settle(d.id)));
  }, 300_000);

  it('reads, classifies, extracts the key fields and codes each paper', () => {
    const [result, form] = docs;
    for (const [doc, id] of [[result, 'giay-khai-sinh-03'], [form, 'to-khai-dang-ky-khai-sinh-02']] as const) {
      const truth = manifest.get(id)!;
      expect(doc.status, JSON.stringify(doc.reviewReasons)).toBe('done');
      expect(doc.docType).toBe(truth.docType);
      expect(doc.docTypeConfidence).toBeGreaterThanOrEqual(0.75);
      for (const [field, value] of Object.entries(truth.fields)) {
        expect(sameValue(field, value, doc.fields[field]), `${id}.${field}: ${doc.fields[field]} vs ${value}`).toBe(true);
      }
      expect(wordF1(doc.text, truth.lines.join('\n'))).toBeGreaterThan(0.95);
      expect(doc.ocrConfidence).toBeGreaterThan(70);
      expect(doc.timestamps.ocr_done).not.toBeNull();
      expect(doc.timestamps.coded).not.toBeNull();
      expect(doc.timestamps.done).not.toBeNull();
    }
    expect(result.code).toBe(`${dossierCode}-KQ1`);
    expect(result.code).toMatch(RESULT_CODE_RE);
    expect(result.codeScheme).toBe('result-nd45-2020');
    expect(form.code).toMatch(DIGITIZED_CODE_RE);
    expect(form.code.endsWith('.01')).toBe(true);
    expect(form.signer).toMatch(/Đông Hưng/);
  });

  it('stores a signed, searchable PDF that pdfsig, pdftotext and qpdf accept', async () => {
    const dir = tempDir('e2e-pdf-');
    const db = nssDbTrusting(dir, path.join(env.dataDir, 'pki', 'ca.pem'));
    for (const [doc, id] of [[docs[0], 'giay-khai-sinh-03'], [docs[1], 'to-khai-dang-ky-khai-sinh-02']] as const) {
      const pdf = await desk.raw(`/v1/documents/${doc.id}/pdf`);
      expect(pdf.status).toBe(200);
      expect(pdf.headers.get('content-type')).toBe('application/pdf');
      const file = writeTemp(dir, `${id}.pdf`, pdf.bytes);
      const sig = run('pdfsig', ['-nssdir', db, file]).out;
      expect(sig).toMatch(/Signature is Valid/);
      expect(sig).toMatch(/Total document signed/);
      expect(sig).toMatch(/Certificate is Trusted/);
      expect(run('qpdf', ['--check', file]).code).toBe(0);
      const text = run('pdftotext', [file, '-']).out;
      const truth = manifest.get(id)!;
      expect(Math.abs(wordF1(text, truth.lines.join('\n')) - wordF1(doc.text, truth.lines.join('\n')))).toBeLessThan(0.02);
      expect(run('pdfinfo', [file]).out).toContain(doc.code);
    }
  });

  it('verifies stored and uploaded PDFs, and refuses a tampered one', async () => {
    const v = await desk.json('GET', `/v1/documents/${docs[0].id}/verification`);
    expect(v.body).toMatchObject({ valid: true, intact: true, coversWholeDocument: true, unitCode: UNIT, chainTrusted: true, reason: null });
    const pdf = (await desk.raw(`/v1/documents/${docs[0].id}/pdf`)).bytes;
    const ok = await desk.upload('/v1/verify', {}, [{ name: 'a.pdf', bytes: pdf }]);
    expect(ok.body.valid).toBe(true);
    const tampered = Buffer.from(pdf);
    const at = tampered.indexOf('/Producer');
    tampered[at + 2] = tampered[at + 2]! ^ 0x01;
    const bad = await desk.upload('/v1/verify', {}, [{ name: 'b.pdf', bytes: tampered }]);
    expect(bad.body.valid).toBe(false);
    expect(bad.body.reason).toBeTruthy();
    const notPdf = await desk.upload('/v1/verify', {}, [await corpusFile(DEV_CORPUS, 'giay-khai-sinh-03.jpg')]);
    expect([notPdf.status, notPdf.body.error.code]).toEqual([415, 'NOT_A_PDF']);
  });

  it('does not sign or code twice when a stage is run again', async () => {
    const before = await desk.json('GET', `/v1/documents/${docs[0].id}`);
    const events = { sign: new QueueEvents('sign', { connection: { url: env.config.REDIS_URL }, prefix: env.config.QUEUE_PREFIX }), code: new QueueEvents('code', { connection: { url: env.config.REDIS_URL }, prefix: env.config.QUEUE_PREFIX }) };
    try {
      await Promise.all([events.sign.waitUntilReady(), events.code.waitUntilReady()]);
      const sign = await app.ctx.queues.queue('sign').add('sign', { documentId: docs[0].id }, { jobId: `sign-again-${docs[0].id}` });
      const code = await app.ctx.queues.queue('code').add('code', { documentId: docs[0].id }, { jobId: `code-again-${docs[0].id}` });
      // Both jobs ran (and found the work done) before the document is compared.
      expect(await sign.waitUntilFinished(events.sign, 60_000)).toBe('skipped');
      expect(await code.waitUntilFinished(events.code, 60_000)).toBe('skipped');
    } finally {
      await Promise.all([events.sign.close(), events.code.close()]);
    }
    const after = await desk.json('GET', `/v1/documents/${docs[0].id}`);
    expect(after.body.code).toBe(before.body.code);
    expect(after.body.signedAt).toBe(before.body.signedAt);
    expect(after.body.updatedAt).toBe(before.body.updatedAt);
  });
});

describe('review', () => {
  it('sends a paper outside the catalog to review, and codes and signs it once a person confirms it', async () => {
    const res = await desk.upload('/v1/dossiers', { unitCode: UNIT, procedureCode: '1.001193', applicantId: '034221659693', channel: 'desk' }, [
      await corpusFile(DEV_CORPUS, 'unknown-giay-moi-01.jpg'),
    ]);
    const doc = await settle(res.body.documents[0].id);
    expect(doc.status).toBe('review');
    expect(doc.code).toBeNull();
    expect(doc.docType).toBe('unknown');
    expect(doc.reviewReasons.length).toBeGreaterThan(0);

    expect((await desk.json('GET', '/v1/review')).status).toBe(403);
    const queue = await archive.json('GET', '/v1/review');
    expect(queue.body.items.map((d: { id: string }) => d.id)).toContain(doc.id);

    const wrong = await archive.json('POST', `/v1/documents/${doc.id}/review`, { docType: 'no-such-type', fields: {} });
    expect(wrong.status).toBe(400);
    const notInReview = await archive.json('POST', `/v1/documents/${docs[0].id}/review`, { docType: 'giay-khai-sinh' });
    expect([notInReview.status, notInReview.body.error.code]).toEqual([409, 'NOT_IN_REVIEW']);
    const confirmed = await archive.json('POST', `/v1/documents/${doc.id}/review`, { docType: 'unknown', fields: {} });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.reviewReasons).toBeNull();
    expect(confirmed.body.status).toBe('coded');
    expect(confirmed.body.code).toMatch(DIGITIZED_CODE_RE);
    const done = await settle(doc.id);
    expect(done.status).toBe('done');
    expect((await archive.json('GET', '/v1/review')).body.items.map((d: { id: string }) => d.id)).not.toContain(doc.id);

    const audit = await admin.json('GET', '/v1/audit?action=document.review');
    expect(audit.body.items[0]).toMatchObject({ targetId: doc.id, detail: { confirmed: { docType: 'unknown' } } });
    const { rows } = await app.ctx.db.query('SELECT count(*)::int AS n FROM classifier_examples WHERE document_id = $1', [doc.id]);
    expect(rows[0].n).toBe(1);
  }, 300_000);
});

describe('failures', () => {
  it('fails a document whose unit has no signing certificate yet, and re-drives it once the certificate is installed', async () => {
    const unit = { code: '000.05.21.H54', name: 'Ủy ban nhân dân xã Mới Lập', level: 'commune', parentCode: '000.00.21.H54', rural: true };
    expect((await admin.json('POST', '/v1/units', unit)).status).toBe(201);
    // A new unit gets a development certificate at once; take it away to stand for a unit whose
    // certificate has not been issued yet.
    const unitsDir = path.join(env.dataDir, 'pki', 'units');
    const aside = path.join(env.dataDir, 'pki-aside');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(aside, { recursive: true });
    const files = (await readdir(unitsDir)).filter((f) => f.startsWith(unit.code));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) await rename(path.join(unitsDir, f), path.join(aside, f));
    app.ctx.signatures.reload();
    const res = await admin.upload('/v1/dossiers', { unitCode: unit.code, procedureCode: '1.001193', applicantId: '034221659693', channel: 'desk', roles: 'result' }, [
      await corpusFile(DEV_CORPUS, 'giay-khai-sinh-01.tif'),
    ]);
    const id = res.body.documents[0].id;
    const failed = await waitFor(async () => {
      const r = await admin.json('GET', `/v1/documents/${id}`);
      return r.body.status === 'failed' ? r.body : null;
    }, 240_000, 250);
    expect(failed.error.code).toBe('SIGNER_MISSING');
    expect(failed.error.message).toMatch(/install it, then retry/);
    expect(failed.code).toMatch(RESULT_CODE_RE);
    expect((await desk.json('POST', `/v1/documents/${id}/retry`)).status).toBe(403);

    // The certificate is installed (files copied in); no cache is reset by hand.
    for (const f of files) await copyFile(path.join(aside, f), path.join(unitsDir, f));
    const retried = await admin.json('POST', `/v1/documents/${id}/retry`);
    expect(retried.status).toBe(200);
    const done = await waitFor(async () => {
      const r = await admin.json('GET', `/v1/documents/${id}`);
      return r.body.status === 'done' ? r.body : null;
    }, 60_000, 250);
    expect(done.code).toBe(failed.code);
    const again = await admin.json('POST', `/v1/documents/${id}/retry`);
    expect([again.status, again.body.error.code]).toEqual([409, 'NOT_FAILED']);
    expect(done.signer).toBe(unit.name);
    expect((await admin.json('GET', `/v1/documents/${id}/verification`)).body).toMatchObject({ valid: true, unitCode: unit.code });
  }, 300_000);
});
