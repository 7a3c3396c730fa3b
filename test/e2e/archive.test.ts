// The archive on the real pipeline: shipped scans uploaded through HTTP and read by the workers, then
// found by id, by name typed without diacritics and by code; never seen, counted or snippeted outside a
// key's units; a person's papers across units for a desk; reuse with each refusal, a tampered signed
// PDF caught at reuse; revocation; the audit of it all.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from '../../services/app.js';
import { ADMIN_KEY, DEV_CORPUS, makeTestEnv, type TestEnv } from '../helpers/env.js';
import { Client, corpusFile, waitFor } from '../helpers/http.js';

const A = '000.03.21.H54'; // thị trấn Đông Hưng
const DISTRICT_A = '000.00.21.H54'; // huyện Đông Hưng, above A
const B = '000.01.22.H54'; // xã Vũ Hội, another district
const RESTING = new Set(['done', 'review', 'failed']);

// Ground truth of the shipped scans (test/fixtures/corpus/dev/manifest.json).
const VIET = { id: '034221659693', file: 'giay-khai-sinh-01.tif', name: 'Đặng Đức Việt' }; // birth certificate
const HAI = { id: '034216461132', file: 'giay-khai-sinh-03.jpg' }; // birth certificate
const HUYEN = { id: '034198811842', file: 'giay-xac-nhan-tinh-trang-hon-nhan-02.tif' }; // issued 17/10/2024, valid 6 months
const LONG = { id: '034091399705', wife: '034186992098', file: 'giay-chung-nhan-ket-hon-02.pdf' }; // marriage

let env: TestEnv;
let app: RunningApp;
let admin: Client;
const keys: Record<string, Client> = {};

async function keyFor(role: string, unitCode?: string, includeDescendants = false): Promise<Client> {
  const res = await admin.json('POST', '/v1/api-keys', { role, unitCode, includeDescendants });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return admin.withKey(res.body.key);
}

async function settle(id: string): Promise<any> {
  return waitFor(async () => {
    const r = await admin.json('GET', `/v1/documents/${id}`);
    return RESTING.has(r.body.status) ? r.body : null;
  }, 300_000, 250);
}

/** One result paper in its own dossier of unit A; a paper sent to review is confirmed as read. */
async function digitize(file: string, applicantId: string, confirm = true): Promise<any> {
  const res = await keys.deskA!.upload('/v1/dossiers', { unitCode: A, procedureCode: '1.001193', applicantId, channel: 'desk', roles: 'result' }, [await corpusFile(DEV_CORPUS, file)]);
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  let doc = await settle(res.body.documents[0].id);
  if (doc.status === 'review' && confirm) {
    const r = await keys.archiveA!.json('POST', `/v1/documents/${doc.id}/review`, {});
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    doc = await settle(doc.id);
    doc = await waitFor(async () => {
      const d = (await admin.json('GET', `/v1/documents/${doc.id}`)).body;
      return d.status === 'done' ? d : null;
    }, 120_000, 250);
  }
  return doc;
}

async function dossierOf(desk: Client, unitCode: string, applicantId: string): Promise<string> {
  const res = await desk.json('POST', '/v1/dossiers', { unitCode, procedureCode: '1.001193', applicantId, channel: 'desk' });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.dossierCode;
}

let viet: any;
let hai: any;
let huyen: any;
let long: any;
let unread: any;

beforeAll(async () => {
  env = await makeTestEnv();
  app = await startApp(env.config, 'all');
  admin = new Client(app.url!, ADMIN_KEY);
  keys.deskA = await keyFor('desk', A);
  keys.archiveA = await keyFor('archive', A);
  keys.leaderA = await keyFor('leader', DISTRICT_A, true);
  keys.adminA = await keyFor('admin', DISTRICT_A, true);
  keys.deskB = await keyFor('desk', B);
  keys.archiveB = await keyFor('archive', B);
  keys.leaderB = await keyFor('leader', '000.00.22.H54', true);
  keys.postalA = await keyFor('postal', A);
  [viet, hai, huyen, long] = await Promise.all([
    digitize(VIET.file, VIET.id),
    digitize(HAI.file, HAI.id),
    digitize(HUYEN.file, HUYEN.id),
    digitize(LONG.file, LONG.id),
  ]);
  // A paper outside the catalog rests in review: not done, so not reusable.
  unread = await digitize('unknown-giay-moi-01.jpg', VIET.id, false);
}, 600_000);

afterAll(async () => {
  await app?.stop();
  await env?.cleanup();
});

describe('search on papers the pipeline read', () => {
  it('reaches done with the fields the search relies on', () => {
    for (const d of [viet, hai, huyen, long]) expect(d.status, JSON.stringify(d.reviewReasons)).toBe('done');
    expect(unread.status).toBe('review');
    expect(viet.fields.idNumber).toBe(VIET.id);
  });

  it('finds a person by id, the id shown whole only for the one searched', async () => {
    const r = await keys.archiveA!.json('GET', `/v1/search?personId=${VIET.id}`);
    expect(r.status).toBe(200);
    const ids = r.body.items.map((i: any) => i.id);
    expect(ids).toContain(viet.id);
    expect(ids).toContain(unread.id); // the applicant of its dossier
    expect(r.body.total).toBe(2);
    const item = r.body.items.find((i: any) => i.id === viet.id);
    expect(item.personIds).toContain(VIET.id);
    expect(item).toMatchObject({ docType: 'giay-khai-sinh', title: 'Giấy khai sinh', unitCode: A, status: 'done', reusable: true, notReusableReason: null, issueDate: '2022-03-07' });
    const marriage = await keys.archiveA!.json('GET', `/v1/search?personId=${LONG.wife}`);
    expect(marriage.body.items.map((i: any) => i.id)).toEqual([long.id]);
    expect(marriage.body.items[0].personIds).toContain(LONG.wife);
    expect(marriage.body.items[0].personIds).not.toContain(LONG.id);
    expect(marriage.body.items[0].personIds.some((p: string) => p.includes('*'))).toBe(true);
  });

  it('finds an id by its beginning', async () => {
    const r = await keys.archiveA!.json('GET', `/v1/search?q=${VIET.id.slice(0, 8)}`);
    expect(r.body.items.map((i: any) => i.id)).toContain(viet.id);
  });

  it('finds a name typed without diacritics, marks it in the snippet, and ranks the exact spelling first', async () => {
    const r = await keys.archiveA!.json('GET', '/v1/search?q=' + encodeURIComponent('dang duc viet'));
    expect(r.status).toBe(200);
    expect(r.body.items.map((i: any) => i.id)).toContain(viet.id);
    const item = r.body.items.find((i: any) => i.id === viet.id);
    expect(item.snippet).toMatch(/<mark>Đặng<\/mark>/i);
    expect(item.snippet).not.toContain(VIET.id); // ids in snippets are masked
    const exact = await keys.archiveA!.json('GET', '/v1/search?q=' + encodeURIComponent(VIET.name));
    expect(exact.body.items[0].id).toBe(viet.id);
  });

  it('finds a paper by its code, and filters by type, unit and issue date', async () => {
    const r = await keys.archiveA!.json('GET', `/v1/search?code=${encodeURIComponent(viet.code)}`);
    expect(r.body.items.map((i: any) => i.id)).toEqual([viet.id]);
    expect(r.body.total).toBe(1);
    const byType = await keys.archiveA!.json('GET', '/v1/search?docType=giay-khai-sinh');
    expect(byType.body.items.map((i: any) => i.id).sort()).toEqual([viet.id, hai.id].sort());
    const dated = await keys.leaderA!.json('GET', `/v1/search?docType=giay-khai-sinh&unitCode=${DISTRICT_A}&issuedFrom=2022-01-01&issuedTo=2022-12-31`);
    expect(dated.body.items.map((i: any) => i.id)).toEqual([viet.id]);
    const status = await keys.archiveA!.json('GET', '/v1/search?status=review');
    expect(status.body.items.map((i: any) => i.id)).toEqual([unread.id]);
  });

  it('pages with a cursor, without repeats', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let total = 0;
    do {
      const r: any = await keys.archiveA!.json('GET', `/v1/search?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(r.status).toBe(200);
      total = r.body.total;
      seen.push(...r.body.items.map((i: any) => i.id));
      cursor = r.body.nextCursor;
    } while (cursor);
    expect(seen.length).toBe(total);
    expect(new Set(seen).size).toBe(total);
    expect(total).toBe(5);
    expect((await keys.archiveA!.json('GET', '/v1/search?cursor=bm9wZQ')).body.error.field).toBe('cursor');
  });

  it('finds an OCR near-miss of a name', async () => {
    const r = await keys.archiveA!.json('GET', '/v1/search?q=' + encodeURIComponent('dang duc vlet'));
    expect(r.body.nearMatches).toBe(true);
    expect(r.body.items.map((i: any) => i.id)).toContain(viet.id);
  });
});

describe('scope: every role and unit', () => {
  it('never lists, counts or snippets a paper outside the key', async () => {
    const inA = [keys.deskA!, keys.archiveA!, keys.leaderA!, keys.adminA!, admin];
    const outside = [keys.deskB!, keys.archiveB!, keys.leaderB!];
    for (const q of ['', 'q=viet', `personId=${VIET.id}`, `code=${encodeURIComponent(viet.code)}`, `q=${VIET.id.slice(0, 6)}`]) {
      for (const c of inA) {
        const r = await c.json('GET', `/v1/search?${q}`);
        expect(r.status, q).toBe(200);
        expect(r.body.total, q).toBeGreaterThan(0);
        expect(r.body.items.map((i: any) => i.id), q).toContain(viet.id);
      }
      for (const c of outside) {
        const r = await c.json('GET', `/v1/search?${q}`);
        expect(r.status, q).toBe(200);
        expect(r.body, q).toMatchObject({ total: 0, items: [], nextCursor: null });
      }
    }
    // A unit outside the key is refused by name, not silently emptied.
    const refused = await keys.deskB!.json('GET', `/v1/search?unitCode=${A}`);
    expect([refused.status, refused.body.error.field]).toEqual([403, 'unitCode']);
    expect((await keys.postalA!.json('GET', '/v1/search?q=viet')).status).toBe(403);
    expect((await keys.postalA!.json('GET', `/v1/people/${VIET.id}/documents`)).status).toBe(403);
  });
});

describe("a person's papers and reuse", () => {
  it('shows a desk of another unit the reusable results of the person, with reuse metadata only', async () => {
    const own = await keys.deskA!.json('GET', `/v1/people/${VIET.id}/documents`);
    expect(own.status).toBe(200);
    const mine = own.body.items.find((i: any) => i.id === viet.id);
    expect(mine).toMatchObject({ inScope: true, reusable: true, dossierCode: viet.dossierCode, unitName: expect.stringContaining('Đông Hưng') });
    expect(own.body.items.find((i: any) => i.id === unread.id)).toMatchObject({ reusable: false, notReusableReason: 'NOT_DONE' });

    const other = await keys.deskB!.json('GET', `/v1/people/${VIET.id}/documents`);
    expect(other.body.items.map((i: any) => i.id)).toEqual([viet.id]); // not the unread one
    expect(other.body.items[0]).toEqual({
      id: viet.id,
      code: viet.code,
      docType: 'giay-khai-sinh',
      title: 'Giấy khai sinh',
      unitCode: A,
      unitName: expect.any(String),
      issueDate: '2022-03-07',
      validUntil: null,
      reusable: true,
      notReusableReason: null,
      inScope: false,
    });
    expect((await keys.archiveB!.json('GET', `/v1/people/${VIET.id}/documents`)).body.items).toEqual([]);
    expect((await keys.deskB!.json('GET', '/v1/people/099221659693/documents')).body.error.code).toBe('INVALID_APPLICANT_ID');
  });

  it('reuses another unit\'s result into a desk\'s dossier once, opens the copy, and records it', async () => {
    const dossier = await dossierOf(keys.deskB!, B, VIET.id);
    expect((await keys.deskB!.json('GET', `/v1/documents/${viet.id}`)).status).toBe(404);
    const first = await keys.deskB!.json('POST', `/v1/dossiers/${dossier}/reuse`, { documentId: viet.id, componentCode: 'GKS' });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    const again = await keys.deskB!.json('POST', `/v1/dossiers/${dossier}/reuse`, { documentId: viet.id, componentCode: 'GKS' });
    expect(again.status).toBe(200);
    expect(again.body.reuseId).toBe(first.body.reuseId);

    const copy = await keys.deskB!.json('GET', `/v1/documents/${first.body.copyId}`);
    expect(copy.status).toBe(200);
    expect(copy.body).toMatchObject({ dossierCode: dossier, status: 'done', docType: 'giay-khai-sinh', reusedFrom: viet.id, role: 'component' });
    expect((await keys.deskB!.raw(`/v1/documents/${first.body.copyId}/pdf`)).status).toBe(200);
    const dossierView = await keys.deskB!.json('GET', `/v1/dossiers/${dossier}`);
    expect(dossierView.body.documents.map((d: any) => d.id)).toEqual([first.body.copyId]);

    const source = await admin.json('GET', `/v1/documents/${viet.id}`);
    expect(source.body.reusedIn).toEqual([{ dossierCode: dossier, unitCode: B, at: expect.any(String), reuseId: first.body.reuseId }]);
    expect(source.body).toMatchObject({ revoked: false, reusable: true, validUntil: null });

    const audit = await admin.json('GET', `/v1/audit?action=document.reuse&documentId=${viet.id}`);
    expect(audit.body.items).toHaveLength(1);
    expect(audit.body.items[0]).toMatchObject({ unitCode: B, documentId: viet.id, detail: { dossierCode: dossier, issuingUnitCode: A } });
    expect(audit.body.items[0].personId).not.toBe(VIET.id);
    const byPerson = await admin.json('GET', `/v1/audit?personId=${VIET.id}`);
    const actions = new Set(byPerson.body.items.map((e: any) => e.action));
    for (const a of ['search', 'person.documents', 'document.reuse']) expect(actions).toContain(a);
    const views = await admin.json('GET', `/v1/audit?action=document.pdf&documentId=${first.body.copyId}`);
    expect(views.body.items).toHaveLength(1);
  });

  it('refuses a paper that is not done, expired, revoked, superseded or another person\'s, each with its code', async () => {
    const refuse = async (c: Client, dossier: string, documentId: string, code: string, extra = {}) => {
      const r = await c.json('POST', `/v1/dossiers/${dossier}/reuse`, { documentId, ...extra });
      expect([r.status, r.body.error?.code], JSON.stringify(r.body)).toEqual([409, code]);
      expect(r.body.error.message).toMatch(/ \/ /);
    };
    await refuse(keys.deskA!, await dossierOf(keys.deskA!, A, VIET.id), unread.id, 'NOT_DONE');
    await refuse(keys.deskA!, await dossierOf(keys.deskA!, A, HUYEN.id), huyen.id, 'EXPIRED');
    expect((await keys.deskA!.json('GET', `/v1/documents/${huyen.id}`)).body).toMatchObject({ validUntil: '2025-04-16', reusable: false, notReusableReason: 'EXPIRED' });

    const forHai = await dossierOf(keys.deskA!, A, HAI.id);
    await refuse(keys.deskA!, forHai, viet.id, 'OTHER_PERSON');
    await refuse(keys.deskA!, forHai, viet.id, 'OTHER_PERSON', { reason: 'cha mẹ nộp thay' });
    const guardian = await keys.archiveA!.json('POST', `/v1/dossiers/${forHai}/reuse`, { documentId: viet.id, reason: 'cha mẹ nộp thay' });
    expect(guardian.status).toBe(201);

    // Only a leader or admin of the issuing unit revokes; a desk, and another unit's leader, cannot.
    expect((await keys.deskA!.json('POST', `/v1/documents/${hai.id}/revoke`, { reason: 'cấp sai' })).status).toBe(403);
    expect((await keys.leaderB!.json('POST', `/v1/documents/${hai.id}/revoke`, { reason: 'cấp sai' })).status).toBe(404);
    const revoked = await keys.leaderA!.json('POST', `/v1/documents/${hai.id}/revoke`, { reason: 'cấp sai thông tin' });
    expect(revoked.status, JSON.stringify(revoked.body)).toBe(200);
    expect(revoked.body.revocation).toMatchObject({ reason: 'cấp sai thông tin', supersededBy: null });
    await refuse(keys.deskA!, forHai, hai.id, 'REVOKED');

    const superseded = await keys.adminA!.json('POST', `/v1/documents/${long.id}/revoke`, { reason: 'cấp lại bản mới', supersededBy: viet.id });
    expect(superseded.status).toBe(200);
    await refuse(keys.deskA!, await dossierOf(keys.deskA!, A, LONG.id), long.id, 'SUPERSEDED');
    const people = await keys.deskA!.json('GET', `/v1/people/${HAI.id}/documents`);
    expect(people.body.items.find((i: any) => i.id === hai.id)).toMatchObject({ reusable: false, notReusableReason: 'REVOKED' });
    const audit = await admin.json('GET', `/v1/audit?documentId=${long.id}&action=document.supersede`);
    expect(audit.body.items).toHaveLength(1);
  });

  it('catches a tampered signed PDF at reuse', async () => {
    const doc = (await admin.json('GET', `/v1/documents/${viet.id}`)).body;
    const { rows } = await app.ctx.db.query<{ signed_key: string }>('SELECT signed_key FROM documents WHERE id = $1', [doc.id]);
    const key = rows[0]!.signed_key;
    const bucket = env.config.S3_BUCKET_RESULTS;
    const bytes = Buffer.from(await app.ctx.store.get(bucket, key));
    const at = bytes.indexOf('/Type /Page') > 0 ? bytes.indexOf('/Type /Page') + 1 : Math.floor(bytes.length / 3);
    bytes[at] = bytes[at]! ^ 0x01;
    await app.ctx.store.put(bucket, key, bytes);
    const r = await keys.deskA!.json('POST', `/v1/dossiers/${await dossierOf(keys.deskA!, A, VIET.id)}/reuse`, { documentId: viet.id });
    expect([r.status, r.body.error?.code]).toEqual([409, 'SIGNATURE_INVALID']);
  });
});
