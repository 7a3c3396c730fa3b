// The kept figures (triggers of migration 006) against a full recount from the catalog's rows, after a
// random history of every change the triggers follow: dossiers added, moved to another unit, day or
// channel; documents added, moved, deleted, changing status and role; reuse events added and removed;
// several of these at once from concurrent transactions. A seed makes any failure reproducible.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from '../../services/app.js';
import { withTransaction, type PoolClient } from '../../storage/db.js';
import { backlogDigitized, backlogDigitizedAsOf, recomputedSummary, rebuildSummaries, storedSummary } from '../../storage/catalog/progress.js';
import { makeTestEnv, type TestEnv } from '../helpers/env.js';

let env: TestEnv;
let app: RunningApp;

beforeAll(async () => {
  env = await makeTestEnv();
  app = await startApp(env.config, 'tool');
}, 120_000);

afterAll(async () => {
  await app?.stop();
  await env?.cleanup();
});

/** mulberry32: a small seeded generator. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const UNITS = ['000.01.21.H54', '000.02.21.H54', '000.01.22.H54', '000.00.01.H54'];
const CHANNELS = ['desk', 'postal', 'online', 'backlog'];
const STATUSES = ['queued', 'processing', 'coded', 'review', 'done', 'failed'];
// Around Vietnam midnights at a month's end, so day and month boundaries are crossed both ways.
const MOMENTS = ['2026-09-30T16:59:00Z', '2026-09-30T17:01:00Z', '2026-10-15T03:00:00Z', '2026-10-31T16:30:00Z', '2026-10-31T17:30:00Z', '2025-03-01T00:00:00Z'];

const sort = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).sort();

describe('kept figures', () => {
  it('equal a full recount after a random, partly concurrent history', async () => {
    const seed = Number(process.env.PROGRESS_SEED ?? Date.now() % 100000);
    const rand = rng(seed);
    const pick = <T,>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
    const db = app.ctx.db;
    const dossiers: string[] = [];
    const docs: { id: string; dossier: string }[] = [];
    const reuses: string[] = [];
    let serial = 0;

    const step = async (tx: PoolClient) => {
      const r = rand();
      if (r < 0.2 || dossiers.length < 3) {
        const code = `BENCH-${String(++serial).padStart(6, '0')}`;
        dossiers.push(code);
        await tx.query(
          `INSERT INTO dossiers (code, unit_code, procedure_code, applicant_id, channel, received_at) VALUES ($1, $2, '1.001193', '034221659693', $3, $4)`,
          [code, pick(UNITS), pick(CHANNELS), pick(MOMENTS)],
        );
      } else if (r < 0.5) {
        const id = randomUUID();
        const dossier = pick(dossiers);
        docs.push({ id, dossier });
        const status = pick(STATUSES);
        await tx.query(
          `INSERT INTO documents (id, dossier_code, seq, role, file_name, media_type, size, sha256, unit_code, original_key, status, done_at)
           VALUES ($1, $2, (SELECT COALESCE(max(seq), 0) + 1 FROM documents WHERE dossier_code = $2), $3, 'x.tif', 'image/tiff', 1, repeat('b', 64),
                   (SELECT unit_code FROM dossiers WHERE code = $2), 'k', $4, CASE WHEN $4 = 'done' THEN now() END)`,
          [id, dossier, rand() < 0.4 ? 'result' : 'component', status],
        );
      } else if (r < 0.7 && docs.length > 0) {
        await tx.query(`UPDATE documents SET status = $2, done_at = CASE WHEN $2 = 'done' THEN now() END WHERE id = $1`, [pick(docs).id, pick(STATUSES)]);
      } else if (r < 0.75 && docs.length > 0) {
        await tx.query(`UPDATE documents SET role = CASE role WHEN 'result' THEN 'component' ELSE 'result' END WHERE id = $1`, [pick(docs).id]);
      } else if (r < 0.8 && docs.length > 0) {
        const d = pick(docs);
        const to = pick(dossiers);
        await tx.query(`UPDATE documents SET dossier_code = $2, seq = 1000 + (SELECT count(*) FROM documents) WHERE id = $1`, [d.id, to]);
        d.dossier = to;
      } else if (r < 0.85 && docs.length > 0) {
        const d = pick(docs);
        const { rowCount } = await tx.query(`DELETE FROM documents WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM reuse_events WHERE document_id = $1 OR copy_id = $1)`, [d.id]);
        if (rowCount) docs.splice(docs.indexOf(d), 1);
      } else if (r < 0.93 && docs.length > 0) {
        const id = randomUUID();
        const { rowCount } = await tx.query(
          `INSERT INTO reuse_events (id, dossier_code, document_id, reusing_unit_code, issuing_unit_code, actor)
           SELECT $1, $2, x.id, (SELECT unit_code FROM dossiers WHERE code = $2), x.unit_code, 'test' FROM documents x WHERE x.id = $3
           ON CONFLICT DO NOTHING`,
          [id, pick(dossiers), pick(docs).id],
        );
        if (rowCount) reuses.push(id);
      } else if (r < 0.96 && reuses.length > 0) {
        const id = pick(reuses);
        await tx.query('DELETE FROM reuse_events WHERE id = $1', [id]);
        reuses.splice(reuses.indexOf(id), 1);
      } else {
        await tx.query('UPDATE dossiers SET unit_code = $2, channel = $3, received_at = $4 WHERE code = $1', [pick(dossiers), pick(UNITS), pick(CHANNELS), pick(MOMENTS)]);
      }
    };

    for (let round = 0; round < 40; round++) {
      // Four transactions at once, a few changes each; one in five rolls back.
      await Promise.all(
        Array.from({ length: 4 }, async () => {
          const steps = Array.from({ length: 1 + Math.floor(rand() * 4) });
          const rollback = rand() < 0.2;
          await withTransaction(db, async (tx) => {
            for (const _ of steps) await step(tx);
            if (rollback) throw new Error('rollback');
          }).catch((err: Error & { code?: string }) => {
            // Transactions racing on the same rows may be refused by PostgreSQL (deadlock, a key taken
            // meanwhile, a row another one rolled back); each is undone whole, which the figures must follow too.
            if (err.message !== 'rollback' && !['40P01', '23502', '23503', '23505'].includes(err.code ?? '')) throw err;
          });
        }),
      );
      // The model of the rows may drift from them after rollbacks; re-read it.
      docs.splice(0, docs.length, ...(await db.query<{ id: string; dossier_code: string }>('SELECT id, dossier_code FROM documents')).rows.map((x) => ({ id: x.id, dossier: x.dossier_code })));
      dossiers.splice(0, dossiers.length, ...(await db.query<{ code: string }>('SELECT code FROM dossiers')).rows.map((x) => x.code));
      reuses.splice(0, reuses.length, ...(await db.query<{ id: string }>('SELECT id FROM reuse_events')).rows.map((x) => x.id));
    }
    expect(dossiers.length, `seed ${seed}`).toBeGreaterThan(10);
    const stored = await storedSummary(db);
    expect(stored.length, `seed ${seed}`).toBeGreaterThan(0);
    expect(sort(stored), `seed ${seed}`).toEqual(sort(await recomputedSummary(db)));
    expect([...(await backlogDigitized(db, null))].filter(([, n]) => n !== 0).sort(), `seed ${seed}`).toEqual(
      [...(await backlogDigitizedAsOf(db, new Date('9999-01-01'), null))].sort(),
    );

    // A rebuild from scratch gives the same again.
    await withTransaction(db, (tx) => rebuildSummaries(tx));
    expect(sort(await storedSummary(db))).toEqual(sort(stored));
  }, 120_000);
});
