// Progress reports at province scale: 500 units and one million dossiers with their documents and reuse
// events, generated in bulk SQL, then the report's latency over HTTP (p50/p95): the province by unit and
// by level for a year, one unit's year, the CSV, a past moment (asOf, counted afresh), and the lag
// from a document reaching `done` to the figure that counts it. Writes bench/results/progress.json.
//   BENCH_PROGRESS_DOSSIERS (default 1,000,000), BENCH_PROGRESS_ITERATIONS (default 60).
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ADMIN_KEY, REPO_ROOT, makeTestEnv } from '../test/helpers/env.js';
import { startApp } from '../services/app.js';
import { rebuildSummaries } from '../storage/catalog/progress.js';

const DOSSIERS = Number(process.env.BENCH_PROGRESS_DOSSIERS ?? 1_000_000);
const ITERATIONS = Number(process.env.BENCH_PROGRESS_ITERATIONS ?? 60);
const UNITS = 500;
const DAYS = 700; // 2025-01-01 onwards: the plan's last year and most of the next

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
const round = (x: number) => Math.round(x * 10) / 10;

async function main(): Promise<void> {
  const env = await makeTestEnv({ LOG_LEVEL: 'warn', DB_POOL_MAX: '10' });
  const app = await startApp(env.config, 'api');
  const db = app.ctx.db;
  const log = (msg: string) => process.stderr.write(`[bench:progress] ${msg}\n`);
  try {
    const t0 = performance.now();
    // Communes enough for 500 units in all, under the registry's districts.
    const have = Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM units')).rows[0]!.n);
    await db.query(
      `INSERT INTO units (code, name, level, parent_code, rural)
       SELECT format('000.%s.%s.H54', v, d), format('Xã thử %s-%s', d, v), 'commune', format('000.00.%s.H54', d), v % 3 <> 0
       FROM generate_series(20, 27) d, generate_series(10, 99) v
       ORDER BY v, d LIMIT $1 ON CONFLICT DO NOTHING`,
      [UNITS - have],
    );
    await app.ctx.units.refresh();
    const units = (await db.query<{ code: string }>('SELECT code FROM units ORDER BY code')).rows.map((r) => r.code);
    if (units.length !== UNITS) throw new Error(`expected ${UNITS} units, have ${units.length}`);

    // Bulk: the triggers that keep the figures are off during the load, and the figures are counted
    // once afterwards (rebuildSummaries), as a migration of an existing catalog would.
    const client = await db.connect();
    try {
      await client.query('ALTER TABLE dossiers DISABLE TRIGGER USER');
      await client.query('ALTER TABLE documents DISABLE TRIGGER USER');
      await client.query('ALTER TABLE reuse_events DISABLE TRIGGER USER');
      await client.query('SET maintenance_work_mem = \'256MB\'');
      log(`loading ${DOSSIERS} dossiers`);
      // Dossier i: unit i mod 500, day (i div 500) mod 700, serial i div 350,000.
      await client.query(
        `CREATE FUNCTION pg_temp.bench_code(i bigint, codes text[], units int, days int) RETURNS text IMMUTABLE LANGUAGE sql AS $$
           SELECT codes[1 + i % units] || '-' || to_char(date '2025-01-01' + ((i / units) % days)::int, 'YYMMDD') || '-'
                  || lpad((1 + i / (units * days))::text, 4, '0') $$`,
      );
      await client.query(
        `INSERT INTO dossiers (code, unit_code, procedure_code, applicant_id, channel, received_at, created_by, created_at)
         SELECT pg_temp.bench_code(i, $4::text[], $2::int, $3::int), ($4::text[])[1 + i % $2], '1.001193', '034221659693',
                (ARRAY['desk', 'desk', 'online', 'online', 'postal', 'backlog'])[1 + (i * 7) % 6], at, 'bench', at
         FROM generate_series(0, $1 - 1) i,
              LATERAL (SELECT ((date '2025-01-01' + ((i / $2) % $3)::int)::timestamp + make_interval(mins => 450 + (i * 37) % 600))
                              AT TIME ZONE 'Asia/Ho_Chi_Minh' AS at) t`,
        [DOSSIERS, UNITS, DAYS, units],
      );
      log('loading documents');
      // 1-2 components each, a result for 7 in 10; 9 in 10 done, the rest in review, failed or moving.
      await client.query(
        `INSERT INTO documents (id, dossier_code, seq, role, file_name, media_type, size, sha256, unit_code, original_key,
           status, error_code, received_at, done_at, created_at, updated_at)
         SELECT gen_random_uuid(), d.code, s, CASE WHEN s = 3 THEN 'result' ELSE 'component' END, 'scan.tif', 'image/tiff', 100000,
                md5(d.code || s) || md5(s || d.code), d.unit_code, 'originals/bench',
                st, CASE WHEN st = 'failed' THEN 'PAGE_UNREADABLE' END, d.received_at,
                CASE WHEN st = 'done' THEN d.received_at + make_interval(secs => 20 + h % 3000) END, d.received_at, d.received_at
         FROM dossiers d, generate_series(1, 3) s,
              LATERAL (SELECT abs(hashtext(d.code || s)) AS h) hh,
              LATERAL (SELECT CASE WHEN h % 100 < 90 THEN 'done' WHEN h % 100 < 95 THEN 'review' WHEN h % 100 < 98 THEN 'failed' ELSE 'coded' END AS st) ss
         WHERE s = 1 OR (s = 2 AND h % 2 = 0) OR (s = 3 AND h % 10 < 7)`,
      );
      log('loading reuse events');
      // Three dossiers in ten reuse the first paper of the same unit's dossier of the day before.
      await client.query(
        `INSERT INTO reuse_events (id, dossier_code, document_id, reusing_unit_code, issuing_unit_code, actor, at)
         SELECT gen_random_uuid(), d.code, src.id, d.unit_code, src.unit_code, 'bench', d.received_at
         FROM generate_series($2::bigint, $1 - 1) i
         JOIN dossiers d ON d.code = pg_temp.bench_code(i, $4::text[], $2::int, $3::int)
         JOIN documents src ON src.dossier_code = pg_temp.bench_code(i - $2, $4::text[], $2::int, $3::int) AND src.seq = 1
         WHERE i % 10 < 3`,
        [DOSSIERS, UNITS, DAYS, units],
      );
      await client.query('ALTER TABLE dossiers ENABLE TRIGGER USER');
      await client.query('ALTER TABLE documents ENABLE TRIGGER USER');
      await client.query('ALTER TABLE reuse_events ENABLE TRIGGER USER');
      log('counting the figures');
      const r0 = performance.now();
      await client.query('BEGIN');
      await rebuildSummaries(client);
      await client.query('COMMIT');
      const rebuildMs = performance.now() - r0;
      await client.query('VACUUM ANALYZE');
      const counts = (await client.query<{ dossiers: string; documents: string; reuses: string; summary: string }>(
        `SELECT (SELECT count(*) FROM dossiers) AS dossiers, (SELECT count(*) FROM documents) AS documents,
                (SELECT count(*) FROM reuse_events) AS reuses, (SELECT count(*) FROM progress_summary) AS summary`,
      )).rows[0]!;
      const loadS = (performance.now() - t0) / 1000;
      log(`loaded in ${loadS.toFixed(0)} s: ${JSON.stringify(counts)}`);

      const base = app.url!;
      const get = async (url: string): Promise<{ ms: number; body: string; status: number }> => {
        const s = performance.now();
        const res = await fetch(base + url, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
        const body = await res.text();
        return { ms: performance.now() - s, body, status: res.status };
      };
      const commune = units.find((u) => u.startsWith('000.10.'))!;
      const cases: Record<string, string> = {
        provinceYearByUnit: '/v1/progress?period=2026',
        provinceYearByLevel: '/v1/progress?period=2026&groupBy=level',
        provinceMonthByUnit: '/v1/progress?period=2026-10',
        provinceDayByUnit: '/v1/progress?period=2026-10-15',
        oneUnitYear: `/v1/progress?period=2026&unitCode=${commune}`,
        provinceYearCsv: '/v1/progress.csv?period=2026',
        oneUnitMonthAsOf: `/v1/progress?period=2026-10&unitCode=${commune}&asOf=2026-10-20`,
        provinceYearXlsx: '/v1/progress.xlsx?period=2026',
      };
      const results: Record<string, { p50Ms: number; p95Ms: number; maxMs: number; n: number; bytes: number }> = {};
      for (const [name, url] of Object.entries(cases)) {
        const n = name.endsWith('Xlsx') ? Math.min(20, ITERATIONS) : ITERATIONS;
        const first = await get(url);
        if (first.status !== 200) throw new Error(`${url}: ${first.status} ${first.body.slice(0, 300)}`);
        for (let i = 0; i < 3; i++) await get(url);
        const ms: number[] = [];
        for (let i = 0; i < n; i++) ms.push((await get(url)).ms);
        ms.sort((a, b) => a - b);
        results[name] = { p50Ms: round(pct(ms, 50)), p95Ms: round(pct(ms, 95)), maxMs: round(ms[ms.length - 1]!), n, bytes: first.body.length };
        log(`${name}: p50 ${results[name]!.p50Ms} ms, p95 ${results[name]!.p95Ms} ms`);
      }
      const province = JSON.parse((await get('/v1/progress?period=2026&groupBy=level')).body) as { total: { dossiersReceived: number } };

      // Event → figure: a document of today's dossier reaches done (the sign stage's own statement),
      // then the report is asked until it counts it.
      const lags: number[] = [];
      const today = new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10);
      for (let i = 0; i < 20; i++) {
        const code = `${commune}-${today.slice(2).replaceAll('-', '')}-${String(9000 + i)}`;
        await client.query(
          `INSERT INTO dossiers (code, unit_code, procedure_code, applicant_id, channel, received_at, created_by) VALUES ($1, $2, '1.001193', '034221659693', 'desk', now(), 'bench')`,
          [code, commune],
        );
        const { rows } = await client.query<{ id: string }>(
          `INSERT INTO documents (id, dossier_code, seq, role, file_name, media_type, size, sha256, unit_code, original_key, status)
           VALUES (gen_random_uuid(), $1, 1, 'result', 'scan.tif', 'image/tiff', 1, repeat('a', 64), $2, 'k', 'coded') RETURNING id`,
          [code, commune],
        );
        const url = `/v1/progress?period=${today}&unitCode=${commune}`;
        const before = (JSON.parse((await get(url)).body) as { items: { dossiersDigitized: number }[] }).items[0]!.dossiersDigitized;
        const s = performance.now();
        await client.query(`UPDATE documents SET status = 'done', done_at = now(), updated_at = now() WHERE id = $1`, [rows[0]!.id]);
        for (;;) {
          const now = (JSON.parse((await get(url)).body) as { items: { dossiersDigitized: number }[] }).items[0]!.dossiersDigitized;
          if (now > before) break;
          if (performance.now() - s > 10_000) throw new Error('the figure did not move within 10 s');
        }
        lags.push(performance.now() - s);
      }
      lags.sort((a, b) => a - b);

      const out = {
        at: new Date().toISOString(),
        machine: { cpus: os.availableParallelism(), node: process.version, note: 'shared 2-core machine; PostgreSQL with its default settings' },
        data: {
          units: UNITS,
          dossiers: Number(counts.dossiers),
          documents: Number(counts.documents),
          reuseEvents: Number(counts.reuses),
          summaryRows: Number(counts.summary),
          days: DAYS,
          dossiers2026: province.total.dossiersReceived,
          loadSeconds: Math.round(loadS),
          rebuildSummariesSeconds: round(rebuildMs / 1000),
        },
        goal: { provinceReportP95Ms: 200 },
        latency: results,
        eventToFigureLagMs: { p50: round(pct(lags, 50)), p95: round(pct(lags, 95)), max: round(lags[lags.length - 1]!), n: lags.length, note: 'from the commit of a document reaching done to the first report that counts it (includes that request)' },
      };
      await writeFile(path.join(REPO_ROOT, 'bench', 'results', 'progress.json'), `${JSON.stringify(out, null, 2)}\n`);
      process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    } finally {
      client.release();
    }
  } finally {
    await app.stop();
    await env.cleanup();
  }
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
