// Access across units: a unit-scoped admin stays inside its units (keys, units, audit, catalog), and
// no key reaches another unit's document through any door (/pdf, /verification, review, retry, adding
// files to its dossier). A missing thing and another unit's thing answer alike (404).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from '../../services/app.js';
import { ADMIN_KEY, DEV_CORPUS, makeTestEnv, type TestEnv } from '../helpers/env.js';
import { Client, corpusFile, waitFor } from '../helpers/http.js';

const DISTRICT = '000.00.21.H54'; // huyện Đông Hưng (closed 2025-06-30)
const COMMUNE = '000.03.21.H54'; // thị trấn Đông Hưng, under it
const OTHER = '000.01.22.H54'; // xã Vũ Hội, elsewhere

let env: TestEnv;
let app: RunningApp;
let root: Client;
let scoped: Client;

async function keyFor(by: Client, role: string, unitCode?: string, includeDescendants = false): Promise<Client> {
  const res = await by.json('POST', '/v1/api-keys', { role, unitCode, includeDescendants });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return by.withKey(res.body.key);
}

beforeAll(async () => {
  env = await makeTestEnv();
  app = await startApp(env.config, 'all');
  root = new Client(app.url!, ADMIN_KEY);
  scoped = await keyFor(root, 'admin', DISTRICT, true);
}, 120_000);

afterAll(async () => {
  await app?.stop();
  await env?.cleanup();
});

describe('a unit-scoped admin', () => {
  it('mints keys only within its units, never an unscoped one', async () => {
    expect((await scoped.json('POST', '/v1/api-keys', { role: 'admin' })).status).toBe(403);
    expect((await scoped.json('POST', '/v1/api-keys', { role: 'desk', unitCode: OTHER })).status).toBe(403);
    expect((await scoped.json('POST', '/v1/api-keys', { role: 'desk', unitCode: COMMUNE })).status).toBe(201);
    expect((await scoped.json('POST', '/v1/api-keys', { role: 'admin', unitCode: COMMUNE })).status).toBe(201);
    const narrow = await keyFor(root, 'admin', COMMUNE);
    expect((await narrow.json('POST', '/v1/api-keys', { role: 'leader', unitCode: DISTRICT, includeDescendants: true })).status).toBe(403);
    const foreign = await root.json('POST', '/v1/api-keys', { role: 'desk', unitCode: OTHER });
    expect((await scoped.json('DELETE', `/v1/api-keys/${foreign.body.id}`)).status).toBe(404);
    expect((await root.json('GET', '/v1/units')).status).toBe(200);
  });

  it('adds and closes units only under its own, and cannot change the catalog every unit shares', async () => {
    const inside = { code: '000.07.21.H54', name: 'Ủy ban nhân dân xã Thử', level: 'commune', parentCode: DISTRICT, rural: true };
    expect((await scoped.json('POST', '/v1/units', inside)).status).toBe(201);
    expect((await scoped.json('POST', '/v1/units', { ...inside, code: '000.07.22.H54', parentCode: '000.00.22.H54' })).status).toBe(403);
    expect((await scoped.json('POST', '/v1/units', { ...inside, code: '000.08.21.H54', parentCode: undefined })).status).toBe(403);
    expect((await scoped.json('POST', `/v1/units/${OTHER}/close`, { validTo: '2026-12-31' })).status).toBe(404);
    expect((await scoped.json('POST', `/v1/units/${inside.code}/close`, { validTo: '2026-12-31' })).status).toBe(200);
    expect((await scoped.json('PUT', '/v1/document-types/giay-khai-sinh', { titles: ['GIAY KHAI SINH'] })).status).toBe(403);
  });

  it('reads the audit of its own units only', async () => {
    await root.json('POST', '/v1/api-keys', { role: 'leader', unitCode: OTHER });
    const all = await root.json('GET', '/v1/audit?action=api-key.create');
    expect(all.body.items.some((e: { unitCode: string }) => e.unitCode === OTHER)).toBe(true);
    const mine = await scoped.json('GET', '/v1/audit?action=api-key.create');
    expect(mine.status).toBe(200);
    expect(mine.body.items.length).toBeGreaterThan(0);
    for (const e of mine.body.items as { unitCode: string }[]) expect([DISTRICT, COMMUNE, '000.07.21.H54']).toContain(e.unitCode);
  });
});

describe('another unit\'s document', () => {
  let docId: string;
  let dossierCode: string;

  beforeAll(async () => {
    const desk = await keyFor(root, 'desk', OTHER);
    const res = await desk.upload('/v1/dossiers', { unitCode: OTHER, procedureCode: '1.001193', applicantId: '034221659693', channel: 'desk', roles: 'result' }, [
      await corpusFile(DEV_CORPUS, 'giay-khai-sinh-01.tif'),
    ]);
    expect(res.status).toBe(202);
    docId = res.body.documents[0].id;
    dossierCode = res.body.dossierCode;
    await waitFor(async () => ['done', 'review', 'failed'].includes((await root.json('GET', `/v1/documents/${docId}`)).body.status), 240_000, 250);
  }, 300_000);

  it('is not reachable through any door by a key of other units, and answers like a missing one', async () => {
    const strangers = [await keyFor(root, 'desk', COMMUNE), await keyFor(root, 'archive', COMMUNE), await keyFor(root, 'leader', DISTRICT, true), scoped];
    const missing = '00000000-0000-4000-8000-000000000000';
    for (const c of strangers) {
      for (const id of [docId, missing]) {
        expect((await c.json('GET', `/v1/documents/${id}`)).status).toBe(404);
        expect((await c.raw(`/v1/documents/${id}/pdf`)).status).toBe(404);
        expect((await c.raw(`/v1/documents/${id}/original`)).status).toBe(404);
        expect((await c.json('GET', `/v1/documents/${id}/verification`)).status).toBe(404);
      }
    }
    const archive = strangers[1]!;
    expect((await archive.json('POST', `/v1/documents/${docId}/review`, { docType: 'giay-khai-sinh' })).status).toBe(404);
    expect((await scoped.json('POST', `/v1/documents/${docId}/retry`)).status).toBe(404);
    const file = await corpusFile(DEV_CORPUS, 'giay-khai-sinh-01.tif');
    const desk = strangers[0]!;
    const add = await desk.upload(`/v1/dossiers/${dossierCode}/documents`, {}, [file]);
    const addMissing = await desk.upload(`/v1/dossiers/000.03.21.H54-990101-0001/documents`, {}, [file]);
    expect([add.status, add.body.error.code]).toEqual([404, 'NOT_FOUND']);
    expect([addMissing.status, addMissing.body.error.code]).toEqual([404, 'NOT_FOUND']);
    expect((await desk.json('GET', `/v1/dossiers/${dossierCode}`)).status).toBe(404);
    // The owner unit's keys still see it.
    const own = await keyFor(root, 'archive', OTHER);
    expect((await own.json('GET', `/v1/documents/${docId}`)).status).toBe(200);
  });
});
