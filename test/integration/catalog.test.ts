// Catalog rules against the real PostgreSQL: migrations are repeatable, dossier serials are atomic and
// never handed out twice under concurrency, and statuses only move forward.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, ensureDatabase, migrate, type Pool } from '../../storage/db.js';
import { nextDossierSerial } from '../../storage/catalog/dossiers.js';
import * as documents from '../../storage/catalog/documents.js';
import { loadRegistry } from '../../services/units.js';
import { localDay } from '../../services/intake.js';
import { formatDossierCode } from '../../services/codes/index.js';
import { makeTestEnv, type TestEnv } from '../helpers/env.js';
import { withTransaction } from '../../storage/db.js';
import { assignCode } from '../../services/coding.js';
import { loadCatalog } from '../../services/classify/index.js';
import { DIGITIZED_CODE_RE, RESULT_CODE_RE } from '../../services/codes/index.js';

let env: TestEnv;
let pool: Pool;

beforeAll(async () => {
  env = await makeTestEnv();
  await ensureDatabase(env.config.DATABASE_URL);
  await migrate(env.config.DATABASE_URL);
  await migrate(env.config.DATABASE_URL); // a second run is a no-op
  pool = createPool(env.config.DATABASE_URL, 20);
  await loadRegistry(pool);
  await loadRegistry(pool); // and so is a second registry load
});

afterAll(async () => {
  await pool?.end();
  await env?.cleanup();
});

describe('dossier codes', () => {
  it('hands out 200 concurrent serials without a gap or a repeat', async () => {
    const serials = await Promise.all(Array.from({ length: 200 }, () => nextDossierSerial(pool, '000.03.21.H54', '2026-11-28')));
    expect(new Set(serials).size).toBe(200);
    expect(Math.max(...serials)).toBe(200);
    expect(await nextDossierSerial(pool, '000.03.21.H54', '2026-11-29')).toBe(1);
    expect(await nextDossierSerial(pool, '000.01.21.H54', '2026-11-28')).toBe(1);
  });

  it('formats the code from the unit, the local day and the serial', () => {
    expect(formatDossierCode('000.00.12.H54', new Date('2023-04-05T10:00:00+07:00'), 7)).toBe('000.00.12.H54-230405-0007');
    // 20:00 UTC is already the next day in Vietnam
    expect(localDay(new Date('2026-11-28T20:00:00Z'))).toBe('2026-11-29');
  });
});

describe('document statuses', () => {
  it('only move forward from the allowed statuses', async () => {
    await pool.query(
      `INSERT INTO dossiers (code, unit_code, procedure_code, applicant_id, channel, received_at) VALUES ('000.03.21.H54-261128-9999', '000.03.21.H54', '1.001193', '034221659693', 'desk', now())`,
    );
    const id = randomUUID();
    await documents.insertDocument(
      pool,
      { id, dossierCode: '000.03.21.H54-261128-9999', role: 'component', fileName: 'a.jpg', mediaType: 'image/jpeg', size: 1, sha256: 'a'.repeat(64), unitCode: '000.03.21.H54', originalKey: 'k', pages: 1, createdBy: 'test' },
      null,
    );
    expect(await documents.transition(pool, [id], 'queued', ['received'])).toEqual([id]);
    expect(await documents.transition(pool, [id], 'queued', ['received'])).toEqual([]);
    await documents.markFailed(pool, id, 'FILE_CORRUPT', 'bad', 1);
    expect(await documents.transition(pool, [id], 'processing', ['received', 'queued'])).toEqual([]);
    const doc = await documents.getDocument(pool, id);
    expect(doc).toMatchObject({ status: 'failed', error: { code: 'FILE_CORRUPT' } });
    expect(doc!.timestamps.failed).not.toBeNull();
  });
});

describe('document codes', () => {
  it('are unique and match their schemes under concurrent coding', async () => {
    const catalog = loadCatalog();
    const base = { seq: 1, dossierCode: '000.03.21.H54-261128-0001', procedureCode: '1.001193', applicantId: '034221659693' };
    const digitized = await Promise.all(
      Array.from({ length: 40 }, () =>
        withTransaction(pool, (tx) =>
          assignCode(tx, catalog, { ...base, role: 'component', docType: 'giay-khai-sinh', fields: { idNumber: '034221659693', documentNumber: '226' } }),
        ),
      ),
    );
    const results = await Promise.all(
      Array.from({ length: 40 }, () => withTransaction(pool, (tx) => assignCode(tx, catalog, { ...base, role: 'result', docType: 'giay-khai-sinh', fields: {} }))),
    );
    expect(new Set(digitized.map((c) => c.code)).size).toBe(40);
    expect(new Set(results.map((c) => c.code)).size).toBe(40);
    for (const c of digitized) expect(c.code).toMatch(DIGITIZED_CODE_RE);
    for (const c of results) expect(c.code).toMatch(RESULT_CODE_RE);
    expect(digitized.map((c) => c.code)).toContain('034221659693.KQ.G15.000031.226.01');
    expect(results.map((c) => c.code)).toContain('000.03.21.H54-261128-0001-KQ40');
  });
});
