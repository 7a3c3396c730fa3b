// Each test file gets its own database, queue prefix and object-store folder, so files run in parallel
// against the one PostgreSQL and Redis of the machine without seeing each other.
import { cp, mkdtemp, readFile, rename, rm, stat } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { loadConfig, type Config } from '../../services/config.js';
import { initDevPki } from '../../services/signing/index.js';

export const ADMIN_KEY = 'test-admin-key-0123456789';
export const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');
/** The corpus the repository ships (a subset of the shared dev corpus, with its ground truth). */
export const FIXTURE_CORPUS = path.join(REPO_ROOT, 'test', 'fixtures', 'corpus');
/** `CORPUS_DIR` points the tests at a larger corpus in the same manifest format when one is there. */
export const DEV_CORPUS = process.env.CORPUS_DIR ? path.resolve(process.env.CORPUS_DIR) : path.join(FIXTURE_CORPUS, 'dev');
export const BAD_CORPUS = process.env.BAD_CORPUS_DIR ? path.resolve(process.env.BAD_CORPUS_DIR) : path.join(FIXTURE_CORPUS, 'bad');
/** The full shared corpus, used by `npm run eval` and the benchmarks when it sits beside the repository. */
export const SHARED_DEV_CORPUS = path.resolve(REPO_ROOT, '..', 'shared', 'corpus', 'dev');

const PG_BASE = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestEnv {
  env: Record<string, string>;
  config: Config;
  dataDir: string;
  dbName: string;
  cleanup(): Promise<void>;
}

const TEST_PASSPHRASE = 'dev-only-passphrase';

/**
 * A development PKI for the shipped registry, made once per machine and copied into each test's
 * DATA_DIR: forty RSA keys per test file would cost more than most tests. Made in a temporary folder
 * and renamed into place, so test files starting together never see half of one.
 */
async function devPkiTemplate(): Promise<string> {
  const registry = await readFile(path.join(REPO_ROOT, 'schemas', 'units.json'), 'utf8');
  const dir = path.join(os.tmpdir(), `motcua-test-pki-${createHash('sha256').update(registry).digest('hex').slice(0, 12)}`);
  if (await stat(path.join(dir, 'ca.pem')).then(() => true, () => false)) return dir;
  const tmp = await mkdtemp(`${dir}-`);
  const units = (JSON.parse(registry) as { units: { code: string; name: string }[] }).units.map((u) => ({ code: u.code, name: u.name }));
  await initDevPki({ dir: tmp, passphrase: TEST_PASSPHRASE, units });
  await rename(tmp, dir).catch(async () => rm(tmp, { recursive: true, force: true })); // another file made it first
  return dir;
}

export async function makeTestEnv(overrides: Record<string, string> = {}): Promise<TestEnv> {
  const tag = randomBytes(5).toString('hex');
  const dbName = `motcua_test_${tag}`;
  const dbUrl = new URL(PG_BASE);
  dbUrl.pathname = `/${dbName}`;
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'motcua-test-'));
  await cp(await devPkiTemplate(), path.join(dataDir, 'pki'), { recursive: true });
  const env: Record<string, string> = {
    DATABASE_URL: dbUrl.toString(),
    REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
    QUEUE_PREFIX: `test-${tag}`,
    DATA_DIR: dataDir,
    EMBEDDED_S3_PORT: '0',
    PORT: '0',
    ADMIN_API_KEY: ADMIN_KEY,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    JOB_BACKOFF_MS: '200',
    RECOVERY_INTERVAL_MS: '2000',
    ...overrides,
  };
  const config = loadConfig(env);
  return {
    env,
    config,
    dataDir,
    dbName,
    async cleanup() {
      const admin = new pg.Client({ connectionString: PG_BASE });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(dbName)} WITH (FORCE)`).catch(() => undefined);
      await admin.end();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
