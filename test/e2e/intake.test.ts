// End to end through HTTP: the app booted in-process against the real PostgreSQL, Redis and the S3
// server, with desk, postal, archive and admin keys.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import pg from 'pg';
import { PDFDocument, PDFName, PDFString } from 'pdf-lib';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from '../../services/app.js';
import { sweep } from '../../services/recovery.js';
import { ADMIN_KEY, BAD_CORPUS, DEV_CORPUS, makeTestEnv, type TestEnv } from '../helpers/env.js';
import { Client, corpusFile, waitFor } from '../helpers/http.js';

const UNIT = '000.03.21.H54'; // thị trấn Đông Hưng
const OTHER_UNIT = '000.01.22.H54'; // xã Vũ Hội
const DISTRICT = '000.00.21.H54';
const fields = { unitCode: UNIT, procedureCode: '1.001193', applicantId: '034221659693', channel: 'desk' };

let env: TestEnv;
let app: RunningApp;
let admin: Client;
let desk: Client;
let postal: Client;
let archive: Client;
let deskKeyId: string;

function formOf(f: Record<string, string>, file: { name: string; bytes: Buffer }): FormData {
  const form = new FormData();
  for (const [k, v] of Object.entries(f)) form.append(k, v);
  form.append('file', new Blob([file.bytes]), file.name);
  return form;
}

async function newKey(role: string, unitCode?: string, includeDescendants = false): Promise<string> {
  const res = await admin.json('POST', '/v1/api-keys', { role, unitCode, includeDescendants });
  expect(res.status).toBe(201);
  return res.body.key;
}

beforeAll(async () => {
  env = await makeTestEnv();
  app = await startApp(env.config, 'all');
  admin = new Client(app.url!, ADMIN_KEY);
  const deskKey = await admin.json('POST', '/v1/api-keys', { role: 'desk', unitCode: UNIT });
  deskKeyId = deskKey.body.id;
  desk = admin.withKey(deskKey.body.key);
  postal = admin.withKey(await newKey('postal', DISTRICT, true));
  archive = admin.withKey(await newKey('archive', UNIT));
});

afterAll(async () => {
  await app?.stop();
  await env?.cleanup();
});

describe('upload and read back', () => {
  it('stores every dev-corpus format byte-identical and answers 202 with per-file ids', async () => {
    const names = ['giay-khai-sinh-01.tif', 'giay-khai-sinh-02.jpg', 'giay-chung-nhan-ket-hon-02.pdf'];
    const files = await Promise.all(names.map((n) => corpusFile(DEV_CORPUS, n)));
    // The shipped fixtures hold no PNG scan (they are large); a PNG made from a scan stands in.
    files.push({ name: 'giay-khai-sinh-02.png', bytes: await sharp(files[1]!.bytes).png().toBuffer() });
    names.push('giay-khai-sinh-02.png');
    const res = await desk.upload('/v1/dossiers', { ...fields, roles: 'result,component,result,component' }, files);
    expect(res.status).toBe(202);
    expect(res.body.dossierCode).toMatch(/^000\.03\.21\.H54-\d{6}-\d{4}$/);
    expect(res.body.documents).toHaveLength(4);
    for (const [i, d] of res.body.documents.entries()) {
      expect(d.fileName).toBe(names[i]);
      expect(['queued', 'received']).toContain(d.status);
      expect(d.duplicateOf).toBeNull();
      const original = await desk.raw(`/v1/documents/${d.id}/original`);
      expect(original.status).toBe(200);
      expect(original.bytes.equals(files[i]!.bytes)).toBe(true);
    }
    expect(res.body.documents.map((d: { role: string }) => d.role)).toEqual(['result', 'component', 'result', 'component']);
    expect(res.body.documents.map((d: { mediaType: string }) => d.mediaType)).toEqual(['image/tiff', 'image/jpeg', 'application/pdf', 'image/png']);

    const dossier = await desk.json('GET', `/v1/dossiers/${res.body.dossierCode}`);
    expect(dossier.status).toBe(200);
    expect(dossier.body).toMatchObject({ dossierCode: res.body.dossierCode, unitCode: UNIT, procedureCode: '1.001193', channel: 'desk' });
    expect(dossier.body.documents).toHaveLength(4);

    // The worker reads each original back, checks its SHA-256 and counts its pages.
    for (const d of res.body.documents) {
      const doc = await waitFor(async () => {
        const r = await desk.json('GET', `/v1/documents/${d.id}`);
        return r.body.timestamps.processing && r.body.pages ? r.body : null;
      });
      expect(doc.pages).toBe(1);
      expect(doc.sha256).toBe(d.sha256);
      expect(doc.error).toBeNull();
      expect(doc.timestamps.received).not.toBeNull();
      expect(doc.timestamps.queued).not.toBeNull();
    }
  });

  it('generates consecutive dossier codes per unit and day', async () => {
    const file = await corpusFile(DEV_CORPUS, 'giay-khai-sinh-03.jpg');
    const a = await desk.upload('/v1/dossiers', fields, [file]);
    const b = await desk.upload('/v1/dossiers', fields, [file]);
    const serial = (code: string) => Number(code.split('-').pop());
    expect(serial(b.body.dossierCode)).toBe(serial(a.body.dossierCode) + 1);
  });

  it('stores the same bytes once and says which document they duplicate', async () => {
    const file = await corpusFile(DEV_CORPUS, 'trich-luc-khai-tu-02.jpg');
    const first = await desk.upload('/v1/dossiers', fields, [file]);
    const second = await desk.upload('/v1/dossiers', fields, [{ ...file, name: 'copy.jpg' }]);
    expect(second.status).toBe(202);
    expect(second.body.documents[0].duplicateOf).toBe(first.body.documents[0].id);
    const orig = await desk.raw(`/v1/documents/${second.body.documents[0].id}/original`);
    expect(orig.bytes.equals(file.bytes)).toBe(true);
  });

  it('adds documents to an existing dossier', async () => {
    const created = await desk.upload('/v1/dossiers', fields, [await corpusFile(DEV_CORPUS, 'giay-phep-xay-dung-01.tif')]);
    const added = await desk.upload(`/v1/dossiers/${created.body.dossierCode}/documents`, { roles: 'result' }, [
      await corpusFile(DEV_CORPUS, 'giay-chung-nhan-dang-ky-doanh-nghiep-02.pdf'),
    ]);
    expect(added.status).toBe(202);
    expect(added.body.documents[0].role).toBe('result');
    const dossier = await desk.json('GET', `/v1/dossiers/${created.body.dossierCode}`);
    expect(dossier.body.documents).toHaveLength(2);
    const missing = await desk.upload('/v1/dossiers/000.03.21.H54-990101-0001/documents', {}, [await corpusFile(DEV_CORPUS, 'giay-khai-sinh-03.jpg')]);
    expect(missing.status).toBe(404);
  });

  it('creates a dossier without files from JSON (all papers reused)', async () => {
    const res = await desk.json('POST', '/v1/dossiers', fields);
    expect(res.status).toBe(201);
    expect(res.body.documents).toEqual([]);
    expect(res.body.dossierCode).toMatch(/^000\.03\.21\.H54-/);
  });

  it('accepts a given dossier code once and refuses it twice', async () => {
    const code = `${UNIT}-230405-0007`;
    const file = await corpusFile(DEV_CORPUS, 'giay-khai-sinh-03.jpg');
    const first = await desk.upload('/v1/dossiers', { ...fields, dossierCode: code, channel: 'backlog', receivedAt: '2023-04-05T09:00:00+07:00' }, [file]);
    expect(first.status).toBe(202);
    expect(first.body.dossierCode).toBe(code);
    const again = await desk.upload('/v1/dossiers', { ...fields, dossierCode: code }, [file]);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('DOSSIER_EXISTS');
  });

  it('replays the first answer for a repeated Idempotency-Key and stores nothing twice', async () => {
    const file = await corpusFile(DEV_CORPUS, 'can-cuoc-cong-dan-02.pdf');
    const headers = { 'Idempotency-Key': 'retry-test-1' };
    const first = await desk.upload('/v1/dossiers', fields, [file], headers);
    const second = await desk.upload('/v1/dossiers', fields, [file], headers);
    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    expect(second.body).toEqual(first.body);
    const { rows } = await app.ctx.db.query('SELECT count(*)::int AS n FROM dossiers WHERE code = $1', [first.body.dossierCode]);
    expect(rows[0].n).toBe(1);
    const docs = await app.ctx.db.query('SELECT count(*)::int AS n FROM documents WHERE sha256 = $1', [first.body.documents[0].sha256]);
    expect(docs.rows[0].n).toBe(1);
  });
});

describe('refusals', () => {
  it('refuses every file of the bad corpus with a stable code and keeps serving', async () => {
    const manifest = JSON.parse(await readFile(path.join(BAD_CORPUS, 'manifest.json'), 'utf8')) as { file: string }[];
    const expected: Record<string, [number, string]> = {
      'empty.jpg': [400, 'FILE_EMPTY'],
      'truncated.jpg': [422, 'FILE_CORRUPT'],
      'text-named.jpg': [415, 'UNSUPPORTED_MEDIA_TYPE'],
      'exe-named.pdf': [415, 'UNSUPPORTED_MEDIA_TYPE'],
      'bomb-40k.png': [413, 'IMAGE_TOO_LARGE'],
      'broken.pdf': [422, 'FILE_CORRUPT'],
      'external-entity.svg': [415, 'UNSUPPORTED_MEDIA_TYPE'],
      'garbage.tif': [422, 'FILE_CORRUPT'],
      'one-pixel.png': [422, 'IMAGE_TOO_SMALL'],
    };
    expect(manifest.map((m) => m.file).sort()).toEqual(Object.keys(expected).sort());
    for (const m of manifest) {
      const res = await desk.upload('/v1/dossiers', fields, [await corpusFile(BAD_CORPUS, m.file)]);
      expect([res.status, res.body.error.code], m.file).toEqual(expected[m.file]);
      expect(res.body.error.message).toMatch(/\/ /); // Vietnamese / English
      expect(res.body.error.file).toBe(m.file);
      expect(JSON.stringify(res.body)).not.toMatch(/at .*\.ts:\d+/); // no stack traces
    }
    expect((await desk.json('GET', '/v1/units')).status).toBe(200);
  });

  it('refuses a whole request when one of its files is bad, storing nothing', async () => {
    const before = await app.ctx.db.query('SELECT count(*)::int AS n FROM dossiers');
    const res = await desk.upload('/v1/dossiers', fields, [await corpusFile(DEV_CORPUS, 'giay-khai-sinh-03.jpg'), await corpusFile(BAD_CORPUS, 'truncated.jpg')]);
    expect(res.status).toBe(422);
    const after = await app.ctx.db.query('SELECT count(*)::int AS n FROM dossiers');
    expect(after.rows[0].n).toBe(before.rows[0].n);
  });

  it('validates the dossier fields', async () => {
    const file = await corpusFile(DEV_CORPUS, 'giay-khai-sinh-03.jpg');
    const cases: [Record<string, string>, number, string][] = [
      [{ ...fields, unitCode: '12.34' }, 400, 'INVALID_UNIT_CODE'],
      [{ ...fields, unitCode: '999.99.99.H54' }, 400, 'UNIT_UNKNOWN'],
      [{ ...fields, procedureCode: '1001193' }, 400, 'INVALID_PROCEDURE_CODE'],
      [{ ...fields, applicantId: '034221659' + 'x' }, 400, 'INVALID_APPLICANT_ID'],
      [{ ...fields, applicantId: '0100109107' }, 400, 'INVALID_APPLICANT_ID'], // wrong check digit
      [{ ...fields, channel: 'fax' }, 400, 'VALIDATION_FAILED'],
      [{ ...fields, roles: 'component,result' }, 400, 'ROLES_MISMATCH'],
      [{ ...fields, unitCode: DISTRICT }, 403, 'FORBIDDEN'],
    ];
    for (const [f, status, code] of cases) {
      const res = await desk.upload('/v1/dossiers', f, [file]);
      expect([res.status, res.body.error.code], JSON.stringify(f)).toEqual([status, code]);
    }
    const noFile = await desk.upload('/v1/dossiers', fields, []);
    expect([noFile.status, noFile.body.error.code]).toEqual([400, 'NO_FILES']);
    const tax = await desk.upload('/v1/dossiers', { ...fields, applicantId: '0100109106' }, [file]);
    expect(tax.status).toBe(202);
  });

  it('refuses a closed unit for today but accepts its backlog from before it closed', async () => {
    const districtPostal = admin.withKey(await newKey('postal', DISTRICT));
    const file = await corpusFile(DEV_CORPUS, 'giay-khai-sinh-03.jpg');
    const today = await districtPostal.upload('/v1/dossiers', { ...fields, unitCode: DISTRICT, channel: 'postal' }, [file]);
    expect([today.status, today.body.error.code]).toEqual([409, 'UNIT_CLOSED']);
    const backlog = await districtPostal.upload('/v1/dossiers', { ...fields, unitCode: DISTRICT, channel: 'backlog', receivedAt: '2024-03-01T08:00:00+07:00' }, [file]);
    expect(backlog.status).toBe(202);
    expect(backlog.body.dossierCode).toMatch(/^000\.00\.21\.H54-240301-\d{4}$/);
  });

  it('enforces per-file and per-request size limits with 413', async () => {
    const small = await makeTestEnv({ MAX_FILE_BYTES: String(100 * 1024), MAX_REQUEST_BYTES: String(400 * 1024) });
    const app2 = await startApp(small.config, 'api');
    try {
      const c = new Client(app2.url!, ADMIN_KEY);
      const res = await c.upload('/v1/dossiers', fields, [await corpusFile(DEV_CORPUS, 'giay-khai-sinh-02.jpg')]);
      expect([res.status, res.body.error.code]).toEqual([413, 'FILE_TOO_LARGE']);
      const tif = await corpusFile(DEV_CORPUS, 'giay-khai-sinh-01.tif'); // 48 KB
      const many = await c.upload('/v1/dossiers', fields, Array.from({ length: 9 }, (_, i) => ({ ...tif, name: `${i}.tif` })));
      expect([many.status, many.body.error.code]).toEqual([413, 'REQUEST_TOO_LARGE']);
      const { rows } = await app2.ctx.db.query('SELECT count(*)::int AS n FROM documents');
      expect(rows[0].n).toBe(0);
    } finally {
      await app2.stop();
      await small.cleanup();
    }
  });
});

describe('access', () => {
  it('answers 401 without a key or with a bad or revoked key', async () => {
    const anon = desk.withKey(null);
    for (const c of [anon, desk.withKey('mck_not-a-real-key')]) {
      for (const [method, url] of [['GET', '/v1/units'], ['GET', '/v1/dossiers/x'], ['POST', '/v1/api-keys'], ['GET', '/v1/audit']] as const) {
        const res = await c.json(method, url, method === 'POST' ? {} : undefined);
        expect([res.status, res.body.error.code], `${method} ${url}`).toEqual([401, 'UNAUTHORIZED']);
      }
    }
    const created = await admin.json('POST', '/v1/api-keys', { role: 'desk', unitCode: UNIT });
    const temp = admin.withKey(created.body.key);
    expect((await temp.json('GET', '/v1/units')).status).toBe(200);
    expect((await admin.json('DELETE', `/v1/api-keys/${created.body.id}`)).status).toBe(204);
    expect((await temp.json('GET', '/v1/units')).status).toBe(401);
  });

  it('answers 403 outside the role or the units of the key', async () => {
    const file = await corpusFile(DEV_CORPUS, 'giay-khai-sinh-03.jpg');
    const leader = admin.withKey(await newKey('leader', UNIT));
    const cases: [Client, string, number][] = [
      [desk, 'desk creates a key', 403],
      [archive, 'archive uploads', 403],
      [leader, 'leader uploads', 403],
      [desk, 'desk uploads to another unit', 403],
      [postal, 'postal (district and below) uploads to a commune below it', 202],
      [postal, 'postal uploads outside its district', 403],
    ];
    const results = [
      (await desk.json('POST', '/v1/api-keys', { role: 'admin' })).status,
      (await archive.upload('/v1/dossiers', fields, [file])).status,
      (await leader.upload('/v1/dossiers', fields, [file])).status,
      (await desk.upload('/v1/dossiers', { ...fields, unitCode: OTHER_UNIT }, [file])).status,
      (await postal.upload('/v1/dossiers', { ...fields, channel: 'postal' }, [file])).status,
      (await postal.upload('/v1/dossiers', { ...fields, unitCode: OTHER_UNIT, channel: 'postal' }, [file])).status,
    ];
    expect(results).toEqual(cases.map((c) => c[2]));
    expect((await desk.json('POST', '/v1/units', { code: '000.09.21.H54', name: 'x', level: 'commune' })).status).toBe(403);
    expect((await desk.json('GET', '/v1/audit')).status).toBe(403);
  });

  it('hides documents of other units (404) while archive staff of the unit can read them', async () => {
    const up = await desk.upload('/v1/dossiers', fields, [await corpusFile(DEV_CORPUS, 'giay-khai-sinh-03.jpg')]);
    const id = up.body.documents[0].id;
    expect((await archive.json('GET', `/v1/documents/${id}`)).status).toBe(200);
    const stranger = admin.withKey(await newKey('archive', OTHER_UNIT));
    expect((await stranger.json('GET', `/v1/documents/${id}`)).status).toBe(404);
    expect((await stranger.raw(`/v1/documents/${id}/original`)).status).toBe(404);
    expect((await stranger.json('GET', `/v1/dossiers/${up.body.dossierCode}`)).status).toBe(404);
  });
});

describe('units, audit and operations', () => {
  it('lets an admin add and close a unit, and audits it', async () => {
    const unit = { code: '000.04.21.H54', name: 'Ủy ban nhân dân xã Thử Nghiệm', level: 'commune', parentCode: DISTRICT, rural: true };
    const created = await admin.json('POST', '/v1/units', unit);
    expect(created.status).toBe(201);
    expect((await admin.json('POST', '/v1/units', unit)).status).toBe(409);
    expect((await admin.json('POST', '/v1/units', { ...unit, code: '4.21.H54' })).status).toBe(400);
    const closed = await admin.json('POST', `/v1/units/${unit.code}/close`, { validTo: '2026-01-31', successorCode: UNIT });
    expect(closed.status).toBe(200);
    expect(closed.body).toMatchObject({ validTo: '2026-01-31', successorCode: UNIT });
    const list = await desk.json('GET', '/v1/units');
    expect(list.body.items.find((u: { code: string }) => u.code === unit.code)?.name).toBe(unit.name);
    const audit = await admin.json('GET', '/v1/audit?action=unit.create');
    expect(audit.body.items[0]).toMatchObject({ action: 'unit.create', targetId: unit.code, actor: 'admin:env' });
  });

  it('lets an admin add a document type or set a result-type code without a code change', async () => {
    const before = await desk.json('GET', '/v1/document-types');
    expect(before.body.items.map((t: { slug: string }) => t.slug)).toContain('giay-khai-sinh');
    expect((await desk.json('PUT', '/v1/document-types/giay-xac-nhan-tinh-trang-hon-nhan', { resultTypeCode: 'KQ.G15.000099' })).status).toBe(403);
    const set = await admin.json('PUT', '/v1/document-types/giay-xac-nhan-tinh-trang-hon-nhan', { resultTypeCode: 'KQ.G15.000099' });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ slug: 'giay-xac-nhan-tinh-trang-hon-nhan', resultTypeCode: 'KQ.G15.000099', name: 'Giấy xác nhận tình trạng hôn nhân' });
    const incomplete = await admin.json('PUT', '/v1/document-types/giay-phep-lai-xe', { name: 'Giấy phép lái xe' });
    expect(incomplete.status).toBe(400);
    const added = await admin.json('PUT', '/v1/document-types/giay-phep-lai-xe', { name: 'Giấy phép lái xe', kind: 'result', fields: ['fullName', 'dateOfBirth', 'serialNumber'] });
    expect(added.status).toBe(200);
    const after = await desk.json('GET', '/v1/document-types');
    expect(after.body.version).not.toBe(before.body.version);
    expect(after.body.items.find((t: { slug: string }) => t.slug === 'giay-phep-lai-xe')?.fields).toEqual(['fullName', 'dateOfBirth', 'serialNumber']);
  });

  it('serves health, readiness, metrics and the OpenAPI document', async () => {
    const anon = desk.withKey(null);
    expect((await anon.json('GET', '/health')).body).toEqual({ status: 'ok' });
    const ready = await anon.json('GET', '/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.checks).toEqual({ postgres: 'ok', redis: 'ok', objectStore: 'ok', queue: 'ok' });
    const metrics = await anon.raw('/metrics');
    const text = metrics.bytes.toString();
    expect(text).toMatch(/motcua_uploads_total\{channel="desk"\} [1-9]/);
    expect(text).toMatch(/motcua_rejections_total\{code="FILE_CORRUPT"\} [1-9]/);
    expect(text).toMatch(/motcua_queue_jobs\{queue="ingest",state="/);
    expect(text).toMatch(/motcua_job_duration_seconds_bucket\{.*stage="ingest"/);
    expect(text).toMatch(/motcua_documents\{status="/);
    expect(text).toMatch(/motcua_oldest_in_flight_seconds \d/);
    const openapi = await anon.json('GET', '/docs/json');
    expect(Object.keys(openapi.body.paths)).toEqual(expect.arrayContaining(['/v1/dossiers', '/v1/dossiers/{dossierCode}/documents', '/v1/documents/{id}', '/v1/documents/{id}/original', '/v1/api-keys', '/v1/units']));
  });

  it('documents the multipart upload, the Idempotency-Key header and named schemas in OpenAPI, so "Try it out" and generated clients can upload', async () => {
    const doc = (await desk.withKey(null).json('GET', '/docs/json')).body;
    const post = doc.paths['/v1/dossiers'].post;
    const multipart = post.requestBody.content['multipart/form-data'].schema;
    expect(multipart.properties.file).toMatchObject({ type: 'array', items: { type: 'string', format: 'binary' } });
    expect(multipart.required).toEqual(expect.arrayContaining(['unitCode', 'procedureCode', 'applicantId', 'channel', 'file']));
    expect(multipart.properties.channel.enum).toEqual(['desk', 'postal', 'online', 'backlog']);
    expect(post.parameters.find((p: { in: string; name: string }) => p.in === 'header' && p.name === 'idempotency-key')).toBeTruthy();
    expect(doc.paths['/v1/dossiers/{dossierCode}/documents'].post.requestBody.content['multipart/form-data'].schema.properties.file.items.format).toBe('binary');
    expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(['Document', 'Error']));
    expect(JSON.stringify(doc.paths['/v1/documents/{id}'].get.responses['200'])).toContain('#/components/schemas/Document');
    expect(doc.paths['/v1/documents/{id}/pdf'].get.responses['200'].content['application/pdf'].schema.format).toBe('binary');
    expect(doc.paths['/v1/documents/{id}/original'].get.responses['200'].content['image/tiff'].schema.format).toBe('binary');
  });
});

describe('idempotency', () => {
  it('refuses the same key with a different request (422) and stores nothing for it', async () => {
    const headers = { 'Idempotency-Key': 'reuse-test-1' };
    const first = await desk.upload('/v1/dossiers', fields, [await corpusFile(DEV_CORPUS, 'giay-khai-sinh-01.tif')], headers);
    expect(first.status).toBe(202);
    const other = await corpusFile(DEV_CORPUS, 'giay-xac-nhan-tinh-trang-hon-nhan-02.tif');
    const reused = await desk.upload('/v1/dossiers', fields, [other], headers);
    expect([reused.status, reused.body.error.code]).toEqual([422, 'IDEMPOTENCY_KEY_REUSED']);
    const otherFields = await desk.upload('/v1/dossiers', { ...fields, channel: 'postal' }, [await corpusFile(DEV_CORPUS, 'giay-khai-sinh-01.tif')], headers);
    expect(otherFields.status).toBe(422);
    const { rows } = await app.ctx.db.query('SELECT count(*)::int AS n FROM documents WHERE sha256 = $1', [createHash('sha256').update(other.bytes).digest('hex')]);
    expect(rows[0].n).toBe(0);
  });

  it('answers 409 only while the first request is really running, and lets a retry through the moment its connection dies', async () => {
    const key = 'crash-test-1';
    const holder = new pg.Client({ connectionString: env.config.DATABASE_URL });
    await holder.connect();
    // The lock a running request holds on its own connection (storage/catalog/idempotency.ts).
    const owner = `key:${deskKeyId}`;
    await holder.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [`idempotency\n${owner}\n${key}`]);
    const file = await corpusFile(DEV_CORPUS, 'giay-khai-sinh-01.tif');
    const busy = await desk.upload('/v1/dossiers', fields, [file], { 'Idempotency-Key': key });
    expect([busy.status, busy.body.error.code]).toEqual([409, 'IDEMPOTENCY_CONFLICT']);
    await holder.end(); // the "process" holding the claim dies
    const retry = await desk.upload('/v1/dossiers', fields, [file], { 'Idempotency-Key': key });
    expect(retry.status).toBe(202);
    const replay = await desk.upload('/v1/dossiers', fields, [file], { 'Idempotency-Key': key });
    expect(replay.body).toEqual(retry.body);
  });

  it('forgets a key after 24 hours, and the sweep prunes it', async () => {
    const key = 'expiry-test-1';
    const first = await desk.upload('/v1/dossiers', fields, [await corpusFile(DEV_CORPUS, 'giay-khai-sinh-01.tif')], { 'Idempotency-Key': key });
    await app.ctx.db.query(`UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = $1`, [key]);
    const later = await desk.upload('/v1/dossiers', fields, [await corpusFile(DEV_CORPUS, 'giay-xac-nhan-tinh-trang-hon-nhan-02.tif')], { 'Idempotency-Key': key });
    expect(later.status).toBe(202);
    expect(later.body.dossierCode).not.toBe(first.body.dossierCode);
    await app.ctx.db.query(`UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = $1`, [key]);
    await sweep(app.ctx, 60_000);
    const { rows } = await app.ctx.db.query('SELECT count(*)::int AS n FROM idempotency_keys WHERE key = $1', [key]);
    expect(rows[0].n).toBe(0);
  });
});

describe('dossier codes', () => {
  const backlog = { ...fields, channel: 'backlog' };

  it('skips a serial a client already chose, so one chosen code cannot jam the day', async () => {
    const day = { receivedAt: '2024-05-01T09:00:00+07:00' };
    const chosen = await desk.upload('/v1/dossiers', { ...backlog, ...day, dossierCode: `${UNIT}-240501-0001` }, [await corpusFile(DEV_CORPUS, 'giay-khai-sinh-01.tif')]);
    expect(chosen.status).toBe(202);
    const codes: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await desk.json('POST', '/v1/dossiers', { ...backlog, ...day });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      codes.push(res.body.dossierCode);
    }
    expect(codes).toEqual([`${UNIT}-240501-0002`, `${UNIT}-240501-0003`, `${UNIT}-240501-0004`]);
  });

  it('holds a client-chosen code to the scheme the coder uses: no 5-digit serial, the unit first, the day it was received', async () => {
    const day = { receivedAt: '2024-05-02T09:00:00+07:00' };
    const cases: [Record<string, string>, string][] = [
      [{ dossierCode: `${UNIT}-240502-00001` }, 'INVALID_DOSSIER_CODE'],
      [{ dossierCode: `${OTHER_UNIT}-240502-0001` }, 'INVALID_DOSSIER_CODE'],
      [{ dossierCode: `${UNIT}-240503-0001` }, 'INVALID_DOSSIER_CODE'],
      [{ dossierCode: `${UNIT}-241302-0001` }, 'INVALID_DOSSIER_CODE'],
    ];
    const ancient = await desk.json('POST', '/v1/dossiers', { ...backlog, receivedAt: '2009-03-01T08:00:00+07:00' });
    expect([ancient.status, ancient.body.error.field]).toEqual([400, 'receivedAt']);
    expect(ancient.body.error.message).toMatch(/no dossier-code scheme was in force on that day \(the first starts 2018-11-23\)/);
    for (const [extra, code] of cases) {
      const res = await desk.json('POST', '/v1/dossiers', { ...backlog, ...day, ...extra });
      expect([res.status, res.body.error.code, res.body.error.field], JSON.stringify(extra)).toEqual([400, code, 'dossierCode']);
    }
  });

  it('stores a branch tax code one way (with its dash), so the coder never refuses what intake took', async () => {
    const res = await desk.json('POST', '/v1/dossiers', { ...fields, applicantId: '0100109106001' });
    expect(res.status).toBe(201);
    expect((await desk.json('GET', `/v1/dossiers/${res.body.dossierCode}`)).body.applicantId).toBe('0100109106-001');
  });
});

describe('what a clerk reads', () => {
  it('names the field and what is expected, in Vietnamese and English, never a pattern or a validator sentence', async () => {
    const file = await corpusFile(DEV_CORPUS, 'giay-khai-sinh-01.tif');
    const province = await desk.upload('/v1/dossiers', { ...fields, applicantId: '099221659693' }, [file]);
    expect([province.status, province.body.error.code, province.body.error.field]).toEqual([400, 'INVALID_APPLICANT_ID', 'applicantId']);
    expect(province.body.error.message).toMatch(/099 không phải mã tỉnh/);
    expect(province.body.error.message).toMatch(/the first 3 digits 099 are not a birth-registration province code/);
    const { procedureCode: _p, ...noProcedure } = fields;
    const missing = await desk.upload('/v1/dossiers', noProcedure, [file]);
    expect([missing.status, missing.body.error.field]).toEqual([400, 'procedureCode']);
    expect(missing.body.error.message).toMatch(/procedureCode bị thiếu/);
    expect(missing.body.error.message).toMatch(/procedureCode is missing/);
    const unit = await desk.upload('/v1/dossiers', { ...fields, unitCode: '12.34' }, [file]);
    expect(unit.body.error.message).toMatch(/expected an agency identifier code such as 000\.00\.00\.H54/);
    const limit = await archive.json('GET', '/v1/review?limit=0');
    expect([limit.status, limit.body.error.field]).toEqual([400, 'limit']);
    expect(limit.body.error.message).toMatch(/limit must be at least 1/);
    const role = await admin.json('POST', '/v1/api-keys', { role: 'boss', unitCode: UNIT });
    expect(role.body.error.message).toMatch(/role must be one of: desk, postal, archive, leader, admin/);
    const unitCode = await admin.json('POST', '/v1/api-keys', { role: 'desk', unitCode: 'H54' });
    expect(unitCode.body.error.message).toMatch(/unitCode is not valid; expected an agency identifier code/);
    for (const r of [province, missing, unit, limit, role, unitCode]) {
      expect(r.body.error.message).not.toMatch(/\\d|\^|must match|must be equal to|must NOT/);
    }
  });

  it('refuses a PDF with active content (JavaScript, actions, embedded files, XFA) or nothing on any page, with its own code', async () => {
    const cases: [string, (d: PDFDocument) => void, string][] = [
      ['javascript', (d) => d.catalog.set(PDFName.of('OpenAction'), d.context.obj({ S: 'JavaScript', JS: PDFString.of('app.alert(1)') })), 'PDF_ACTIVE_CONTENT'],
      ['launch', (d) => d.getPage(0).node.set(PDFName.of('AA'), d.context.obj({ O: d.context.obj({ S: 'Launch', F: PDFString.of('cmd.exe') }) })), 'PDF_ACTIVE_CONTENT'],
      ['attachment', (d) => void d.attach(Buffer.from('x'), 'x.txt', { mimeType: 'text/plain' }), 'PDF_ACTIVE_CONTENT'],
      ['xfa', (d) => d.catalog.set(PDFName.of('AcroForm'), d.context.obj({ Fields: [], XFA: PDFString.of('<xdp/>') })), 'PDF_ACTIVE_CONTENT'],
    ];
    for (const [name, add, code] of cases) {
      const d = await PDFDocument.create();
      d.addPage().drawText('Giấy tờ'.normalize('NFD').replace(/[^\x20-\x7e]/g, ''));
      add(d);
      const res = await desk.upload('/v1/dossiers', fields, [{ name: `${name}.pdf`, bytes: Buffer.from(await d.save()) }]);
      expect([res.status, res.body.error?.code], name).toEqual([422, code]);
    }
    const blank = await PDFDocument.create();
    blank.addPage();
    const res = await desk.upload('/v1/dossiers', fields, [{ name: 'blank.pdf', bytes: Buffer.from(await blank.save()) }]);
    expect([res.status, res.body.error.code]).toEqual([422, 'PDF_BLANK']);
    const goTo = await PDFDocument.create();
    goTo.addPage().drawText('Page one');
    goTo.catalog.set(PDFName.of('OpenAction'), goTo.context.obj({ S: 'GoTo', D: [goTo.getPage(0).ref, PDFName.of('Fit')] }));
    expect((await desk.upload('/v1/dossiers', fields, [{ name: 'goto.pdf', bytes: Buffer.from(await goTo.save()) }])).status).toBe(202);
  });
});

describe('back-pressure', () => {
  it('answers 503 with Retry-After when the queues hold more work than allowed, and /ready says so', async () => {
    const busy = await makeTestEnv({ MAX_QUEUED_JOBS: '2', QUEUE_RETRY_AFTER_S: '7' });
    const api = await startApp(busy.config, 'api');
    try {
      const c = new Client(api.url!, ADMIN_KEY);
      const file = await corpusFile(DEV_CORPUS, 'giay-khai-sinh-01.tif');
      // No worker runs here: accepted documents wait in the queue.
      expect((await c.upload('/v1/dossiers', fields, [file, { ...file, name: 'b.tif' }])).status).toBe(202);
      const accepted = await waitFor(async () => {
        const res = await fetch(`${api.url}/v1/dossiers`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_KEY}` }, body: formOf(fields, file) });
        return res.status === 503 ? res : null;
      }, 10_000, 200);
      expect(accepted.headers.get('retry-after')).toBe('7');
      expect(((await accepted.json()) as { error: { code: string } }).error.code).toBe('QUEUE_FULL');
      const ready = await c.json('GET', '/ready');
      expect(ready.status).toBe(503);
      expect(ready.body.checks.queue).toMatch(/^full/);
    } finally {
      await api.stop();
      await busy.cleanup();
    }
  });
});
