// The calls the console needs that any integration may use: who a key is (GET /v1/me) and a page of an
// upload as a picture (GET /v1/documents/{id}/pages/{n}), and how /console itself is served.
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureConsoleBuilt } from '../../scripts/console-build.mjs';
import { startApp, type RunningApp } from '../../services/app.js';
import { ADMIN_KEY, DEV_CORPUS, makeTestEnv, type TestEnv } from '../helpers/env.js';
import { Client, corpusFile } from '../helpers/http.js';

const UNIT = '000.03.21.H54';
let env: TestEnv;
let app: RunningApp;
let admin: Client;

beforeAll(async () => {
  await ensureConsoleBuilt({ quiet: true });
  env = await makeTestEnv();
  app = await startApp(env.config, 'api'); // no workers: nothing here needs the pipeline
  admin = new Client(app.url!, ADMIN_KEY);
});
afterAll(async () => {
  await app?.stop();
  await env?.cleanup();
});

async function key(role: string, unitCode = UNIT, includeDescendants = false): Promise<Client> {
  const r = await admin.json('POST', '/v1/api-keys', { role, unitCode, includeDescendants });
  return admin.withKey(r.body.key);
}

describe('GET /v1/me', () => {
  it("tells a key's role, units and actions", async () => {
    const desk = await key('desk');
    const r = await desk.json('GET', '/v1/me');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ role: 'desk', unitCode: UNIT, includeDescendants: false, units: [UNIT], actions: expect.arrayContaining(['dossier.write', 'search', 'reuse']) });
    expect(r.body.actions).not.toContain('review');
    const all = await admin.json('GET', '/v1/me');
    expect(all.body).toMatchObject({ role: 'admin', unitCode: null, units: null });
    expect((await admin.withKey('mck_nope').json('GET', '/v1/me')).status).toBe(401);
  });
});

describe('GET /v1/documents/{id}/pages/{n}', () => {
  it('gives each page of a TIFF or JPEG as a JPEG a browser shows, and 404 past the last page', async () => {
    const desk = await key('desk');
    const up = await desk.upload('/v1/dossiers', { unitCode: UNIT, procedureCode: '1.001193', applicantId: '034221659693', channel: 'desk' }, [
      await corpusFile(DEV_CORPUS, 'giay-khai-sinh-01.tif'),
      await corpusFile(DEV_CORPUS, 'giay-khai-sinh-02.jpg'),
    ]);
    expect(up.status).toBe(202);
    for (const d of up.body.documents as { id: string }[]) {
      const page = await desk.raw(`/v1/documents/${d.id}/pages/1`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toBe('image/jpeg');
      const meta = await sharp(page.bytes).metadata();
      expect(meta.format).toBe('jpeg');
      expect(Math.max(meta.width!, meta.height!)).toBeLessThanOrEqual(1600);
    }
    const id = up.body.documents[0].id as string;
    const past = await desk.json('GET', `/v1/documents/${id}/pages/2`);
    expect(past.status).toBe(404);
    expect(past.body.error.field).toBe('n');
    expect((await desk.json('GET', `/v1/documents/${id}/pages/0`)).status).toBe(400);
    // Another unit's key cannot tell the document exists.
    const other = await key('desk', '000.02.21.H54');
    expect((await other.json('GET', `/v1/documents/${id}/pages/1`)).status).toBe(404);
  });
});

describe('/console', () => {
  it('redirects to the page, serves it with a strict CSP, and documents the new calls in the OpenAPI', async () => {
    const bare = await fetch(`${app.url}/console`, { redirect: 'manual' });
    expect(bare.status).toBe(302);
    expect(bare.headers.get('location')).toBe('/console/');
    const page = await fetch(`${app.url}/console/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect((await fetch(`${app.url}/console/nope.js`)).status).toBe(404);
    const openapi = await admin.withKey(null).json('GET', '/docs/json');
    expect(Object.keys(openapi.body.paths)).toEqual(expect.arrayContaining(['/v1/me', '/v1/documents/{id}/pages/{n}']));
  });
});
