// Defects of issue #8 that lost or silently changed data, each proven on the real pipeline: a review
// changes only what it names; a stage whose hand-off to the next is lost (a Redis error, a crash right
// after the commit) never leaves the document stuck; a confirmed review whose signing job was never
// queued is signed anyway; and every stage transition is one log line.
// Every document here goes to review (OCR_MIN_CONFIDENCE=100), so each test reads a real paper once.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Queue } from 'bullmq';
import { startApp, type RunningApp } from '../../services/app.js';
import { createLogger } from '../../services/logger.js';
import { sweep } from '../../services/recovery.js';
import type { Stage } from '../../schemas/jobs.js';
import { ADMIN_KEY, DEV_CORPUS, makeTestEnv, type TestEnv } from '../helpers/env.js';
import { Client, corpusFile, waitFor } from '../helpers/http.js';

const UNIT = '000.03.21.H54';
const APPLICANT = '034221659693';
const LAND = 'giay-chung-nhan-quyen-su-dung-dat-01.tif';

let env: TestEnv;
let app: RunningApp;
let admin: Client;
let desk: Client;
let archive: Client;
const logLines: Record<string, unknown>[] = [];

async function upload(name: string, roles?: string): Promise<string> {
  const res = await desk.upload('/v1/dossiers', { unitCode: UNIT, procedureCode: '1.001193', applicantId: APPLICANT, channel: 'desk', roles }, [await corpusFile(DEV_CORPUS, name)]);
  expect(res.status).toBe(202);
  return res.body.documents[0].id;
}

async function statusIs(id: string, statuses: string[], timeoutMs = 240_000): Promise<any> {
  return waitFor(async () => {
    const r = await desk.json('GET', `/v1/documents/${id}`);
    return statuses.includes(r.body.status) ? r.body : null;
  }, timeoutMs, 200);
}

/**
 * Makes queueing a stage fail, as a Redis error or a crash between a stage's commit and its hand-off
 * would: the next `times` adds to that stage's queue throw (Infinity: until restored).
 */
function failQueueing(stage: Stage, times: number): { restore(): void; failures(): number } {
  const q = app.ctx.queues.queue(stage) as Queue & Record<string, unknown>;
  const add = q.add.bind(q);
  const addBulk = q.addBulk.bind(q);
  let left = times;
  let failures = 0;
  const maybeFail = () => {
    if (left > 0) {
      left -= 1;
      failures += 1;
      throw new Error('injected: Redis unavailable at the hand-off');
    }
  };
  q.add = (async (...args: Parameters<typeof add>) => {
    maybeFail();
    return add(...args);
  }) as typeof q.add;
  q.addBulk = (async (...args: Parameters<typeof addBulk>) => {
    maybeFail();
    return addBulk(...args);
  }) as typeof q.addBulk;
  return {
    restore() {
      q.add = add;
      q.addBulk = addBulk;
    },
    failures: () => failures,
  };
}

beforeAll(async () => {
  env = await makeTestEnv({ OCR_MIN_CONFIDENCE: '100', JOB_ATTEMPTS: '2', LOG_LEVEL: 'info' });
  const sink = new Writable({
    write(chunk, _enc, cb) {
      for (const line of chunk.toString().split('\n')) if (line.trim()) logLines.push(JSON.parse(line) as Record<string, unknown>);
      cb();
    },
  });
  app = await startApp(env.config, 'all', createLogger('info', 'test', sink));
  admin = new Client(app.url!, ADMIN_KEY);
  const key = async (role: string) => admin.withKey((await admin.json('POST', '/v1/api-keys', { role, unitCode: UNIT })).body.key);
  desk = await key('desk');
  archive = await key('archive');
}, 120_000);

afterAll(async () => {
  await app?.stop();
  await env?.cleanup();
});

describe('review changes only what it names', () => {
  let id: string;
  let machine: Record<string, string>;

  beforeAll(async () => {
    id = await upload(LAND);
    const doc = await statusIs(id, ['review']);
    machine = doc.fields;
    expect(Object.keys(machine).length).toBeGreaterThanOrEqual(5);
    expect(machine['holderIdNumber']).toMatch(/^\d{12}$/);
  }, 300_000);

  it('keeps every value the machine read, codes from the holder id on the paper, and records machine, person and final per field', async () => {
    const res = await archive.json('POST', `/v1/documents/${id}/review`, { fields: { serialNumber: 'CT 145964' } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.fields).toEqual({ ...machine, serialNumber: 'CT 145964' });
    expect(res.body.docType).toBe('giay-chung-nhan-quyen-su-dung-dat');
    expect(res.body.code.startsWith(`${machine['holderIdNumber']}.`)).toBe(true);
    expect(res.body.code).not.toContain(APPLICANT);
    expect(res.body.code).toContain('.CT-145964.');
    expect(res.body.reviewReasons).toBeNull();
    expect(res.body.review.fields['serialNumber']).toEqual({ machine: machine['serialNumber'] ?? null, person: 'CT 145964', final: 'CT 145964' });
    expect(res.body.review.fields['holderName']).toEqual({ machine: machine['holderName'], final: machine['holderName'] });
    const audit = await admin.json('GET', '/v1/audit?action=document.review');
    const entry = audit.body.items.find((e: { targetId: string }) => e.targetId === id);
    expect(entry.detail.fields['serialNumber']).toMatchObject({ person: 'CT 145964', final: 'CT 145964' });
    expect(entry.detail.fields['holderIdNumber']).toEqual({ machine: machine['holderIdNumber'], final: machine['holderIdNumber'] });
  });

  it('answers 409 for a document that is not in review', async () => {
    const again = await archive.json('POST', `/v1/documents/${id}/review`, { fields: {} });
    expect([again.status, again.body.error.code]).toEqual([409, 'NOT_IN_REVIEW']);
  });

  it('removes a field set to null on purpose, and refuses a typed value that breaks its field rule, naming the field', async () => {
    const dup = await upload(LAND); // the same bytes: the first reading is reused
    const doc = await statusIs(dup, ['review']);
    expect(doc.fields).toEqual(machine);
    const badId = await archive.json('POST', `/v1/documents/${dup}/review`, { fields: { holderIdNumber: '099063791370' } });
    expect([badId.status, badId.body.error.code, badId.body.error.field]).toEqual([400, 'VALIDATION_FAILED', 'fields.holderIdNumber']);
    expect(badId.body.error.message).toMatch(/099 are not a birth-registration province code/);
    const badNumber = await archive.json('POST', `/v1/documents/${dup}/review`, { fields: { serialNumber: '///' } });
    expect([badNumber.status, badNumber.body.error.field]).toEqual([400, 'fields.serialNumber']);
    const wrongField = await archive.json('POST', `/v1/documents/${dup}/review`, { fields: { husbandName: 'X' } });
    expect([wrongField.status, wrongField.body.error.field]).toEqual([400, 'fields.husbandName']);
    const res = await archive.json('POST', `/v1/documents/${dup}/review`, { fields: { parcelNumber: null } });
    expect(res.status).toBe(200);
    expect(res.body.fields).not.toHaveProperty('parcelNumber');
    expect(res.body.review.fields['parcelNumber']).toEqual({ machine: machine['parcelNumber'] ?? null, person: null, final: null });
  }, 300_000);
});

describe('a lost hand-off never leaves a document stuck', () => {
  it('a stage whose hand-off failed hands on when its job is retried', async () => {
    const fault = failQueueing('code', 1);
    try {
      const id = await upload('giay-khai-sinh-01.tif');
      const doc = await statusIs(id, ['review', 'done', 'failed']);
      expect(fault.failures()).toBe(1);
      expect(doc.status).toBe('review');
      expect(doc.timestamps.ocr_done).not.toBeNull();
    } finally {
      fault.restore();
    }
  }, 300_000);

  it('a document whose next stage was never queued (its retries also lost) is re-queued by the sweep', async () => {
    const fault = failQueueing('code', Infinity);
    let id: string;
    try {
      id = await upload('giay-xac-nhan-thong-tin-cu-tru-01.tif');
      await statusIs(id, ['ocr_done']);
      // Every attempt of the OCR job hands on in vain, then BullMQ gives the job up.
      const ocrJob = await app.ctx.queues.queue('ocr').getJob(`ocr-${id}`);
      await waitFor(async () => ((await ocrJob?.getState()) === 'failed' ? true : null), 60_000, 100);
      expect((await desk.json('GET', `/v1/documents/${id}`)).body.status).toBe('ocr_done');
    } finally {
      fault.restore();
    }
    const swept = await sweep(app.ctx, 0);
    expect(swept.requeued.map((r) => [r.documentId, r.stage])).toContainEqual([id, 'code']);
    const doc = await statusIs(id, ['review', 'done', 'failed'], 60_000);
    expect(doc.status).toBe('review');
    expect(logLines.some((l) => l['msg'] === 'recovery: document re-queued by the sweep' && l['documentId'] === id)).toBe(true);
  }, 300_000);

  it('a confirmed review whose signing job could not be queued is signed once the sweep runs', async () => {
    const id = await upload('giay-khai-sinh-01.tif', 'result'); // the same bytes again: no new OCR
    await statusIs(id, ['review']);
    const fault = failQueueing('sign', Infinity);
    try {
      const res = await archive.json('POST', `/v1/documents/${id}/review`, { docType: 'giay-khai-sinh' });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.status).toBe('coded');
    } finally {
      fault.restore();
    }
    expect((await desk.json('GET', `/v1/documents/${id}`)).body.status).toBe('coded');
    await sweep(app.ctx, 0);
    const done = await statusIs(id, ['done', 'failed'], 120_000);
    expect(done.status).toBe('done');
    expect(done.signer).toBeTruthy();
  }, 300_000);
});

describe('logs', () => {
  it('write one line per stage transition with the document, the stage, its duration and outcome, and keep UUIDs whole', async () => {
    const id = await upload('giay-khai-sinh-01.tif', 'result');
    await statusIs(id, ['review']);
    const lines = logLines.filter((l) => l['documentId'] === id && l['msg'] === 'stage done');
    expect(lines.map((l) => l['stage'])).toEqual(['ingest', 'ocr', 'code']);
    for (const l of lines) {
      expect(l['outcome']).toBe('done');
      expect(typeof l['ms']).toBe('number');
      expect(l['status']).toBeTruthy();
    }
    expect(JSON.stringify(logLines)).not.toContain(APPLICANT);
    const refused = await desk.upload('/v1/dossiers', { unitCode: UNIT, procedureCode: '1001193', applicantId: APPLICANT, channel: 'desk' }, [await corpusFile(DEV_CORPUS, 'giay-khai-sinh-01.tif')]);
    expect(refused.status).toBe(400);
    expect(logLines.some((l) => l['msg'] === 'request refused' && l['code'] === 'INVALID_PROCEDURE_CODE' && l['field'] === 'procedureCode')).toBe(true);
  }, 300_000);
});
