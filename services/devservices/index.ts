// Development PostgreSQL and Redis for `npm start` on a bare machine. A service is started only when its
// URL is not configured and nothing answers at the default address (DEFAULT_DATABASE_URL /
// DEFAULT_REDIS_URL), and only where embedded servers are allowed: `npm start` (mode all) outside
// production, or wherever EMBEDDED_SERVICES=1 asks for them. A deployment (NODE_ENV=production, or the
// api / worker processes) never silently runs on a private database. main.ts passes the resulting URLs
// through the config and stops the servers after the app.
import path from 'node:path';
import type { Mode } from '../app.js';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { DevServiceError } from './errors.js';
import { startGuard, type Guard } from './guard.js';
import { startDevPostgres, type DevPostgres } from './postgres.js';
import { answers } from './processes.js';
import { findRedisServer, startDevRedis, type DevRedis } from './redis.js';

export { DevServiceError } from './errors.js';

export interface DevServices {
  /** The config with DATABASE_URL / REDIS_URL pointing at whatever is used. */
  config: Config;
  postgres: DevPostgres | null;
  redis: DevRedis | null;
  /** The watchdog's pid while servers run (it stops them should this process die). */
  watchdogPid: number | null;
  /** Why a missing service was not started here, for the start-up error message. */
  hints: string[];
  stop(): Promise<void>;
}

/** Whether this process may start embedded development servers, and why (for the log and hints). */
export function embeddedPolicy(config: Pick<Config, 'EMBEDDED_SERVICES' | 'NODE_ENV'>, mode: Mode): { allowed: boolean; why: string } {
  const v = config.EMBEDDED_SERVICES;
  if (v === '1' || v === 'true') return { allowed: true, why: 'EMBEDDED_SERVICES=1' };
  if (v === '0' || v === 'false') return { allowed: false, why: 'EMBEDDED_SERVICES=0' };
  if (config.NODE_ENV === 'production') return { allowed: false, why: 'NODE_ENV=production' };
  if (mode !== 'all') {
    const what = mode === 'tool' ? 'a command-line tool' : `npm run ${mode}`;
    return { allowed: false, why: `${what} (only npm start brings them up by itself)` };
  }
  return { allowed: true, why: 'npm start outside production' };
}

function hostPort(url: string, defaultPort: number): { host: string; port: number } {
  const u = new URL(url);
  return { host: u.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1', port: u.port ? Number(u.port) : defaultPort };
}

async function answersAt(url: string, defaultPort: number): Promise<boolean> {
  const { host, port } = hostPort(url, defaultPort);
  return answers(host, port);
}

function redact(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

export async function startDevServices(config: Config, mode: Mode, log: Logger): Promise<DevServices> {
  const [pgAnswers, redisAnswers] = await Promise.all([
    config.databaseConfigured ? true : answersAt(config.DEFAULT_DATABASE_URL, 5432),
    config.redisConfigured ? true : answersAt(config.DEFAULT_REDIS_URL, 6379),
  ]);
  const needPostgres = !config.databaseConfigured && !pgAnswers;
  const needRedis = !config.redisConfigured && !redisAnswers;
  const none: DevServices = { config, postgres: null, redis: null, watchdogPid: null, hints: [], stop: async () => undefined };
  if (!needPostgres && !needRedis) return none;

  const policy = embeddedPolicy(config, mode);
  if (!policy.allowed) {
    const missing = [needPostgres && `PostgreSQL (nothing answers at ${redact(config.DEFAULT_DATABASE_URL)})`, needRedis && `Redis (nothing answers at ${redact(config.DEFAULT_REDIS_URL)})`].filter(Boolean);
    return {
      ...none,
      hints: [
        `No development server was started for ${missing.join(' and ')} because of ${policy.why}: ` +
          'set DATABASE_URL / REDIS_URL, or EMBEDDED_SERVICES=1 for private development servers under DATA_DIR.',
      ],
    };
  }

  // Checked before anything starts, so a missing redis-server costs no initdb.
  const redisBinary = needRedis ? await findRedisServer() : null;
  const dlog = log.child({ component: 'devservices' });
  const guard: Guard = await startGuard();
  const [pgResult, redisResult] = await Promise.allSettled([
    needPostgres
      ? startDevPostgres({
          dir: path.join(config.dataDir, 'pg'),
          dataRoot: config.dataDir,
          port: config.EMBEDDED_PG_PORT,
          database: decodeURIComponent(new URL(config.DEFAULT_DATABASE_URL).pathname.replace(/^\//, '')) || 'motcua',
          guard,
          log: dlog,
        })
      : Promise.resolve(null),
    redisBinary ? startDevRedis(redisBinary, { dir: path.join(config.dataDir, 'redis'), port: config.EMBEDDED_REDIS_PORT, guard, log: dlog }) : Promise.resolve(null),
  ]);
  const postgres = pgResult.status === 'fulfilled' ? pgResult.value : null;
  const redis = redisResult.status === 'fulfilled' ? redisResult.value : null;
  const stop = async () => {
    // Redis first: nothing is left to write to it; then the database; then the watchdog has no work left.
    await redis?.stop();
    await postgres?.stop();
    await guard.close();
  };
  const failed = [pgResult, redisResult].find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await stop();
    throw failed.reason;
  }

  const out: Config = { ...config };
  if (postgres) {
    out.DATABASE_URL = postgres.url;
    dlog.warn(
      { url: redact(postgres.url), dataDir: path.join(config.dataDir, 'pg'), pid: postgres.pid, runAs: postgres.runAs ?? undefined, sharedWith: postgres.sharedWith ?? undefined, why: policy.why },
      postgres.sharedWith
        ? `using the embedded DEVELOPMENT database (PostgreSQL) of process ${postgres.sharedWith} on the same DATA_DIR: it stops with that process`
        : 'using the embedded DEVELOPMENT database (PostgreSQL): not for production; set DATABASE_URL for a real one',
    );
  }
  if (redis) {
    out.REDIS_URL = redis.url;
    dlog.warn(
      { url: redact(redis.url), dataDir: path.join(config.dataDir, 'redis'), pid: redis.pid, version: redis.version, sharedWith: redis.sharedWith ?? undefined, why: policy.why },
      redis.sharedWith
        ? `using the embedded DEVELOPMENT Redis of process ${redis.sharedWith} on the same DATA_DIR: it stops with that process`
        : 'using the embedded DEVELOPMENT Redis: not for production; set REDIS_URL for a real one',
    );
  }
  let stopping: Promise<void> | null = null;
  return {
    config: out,
    postgres,
    redis,
    watchdogPid: guard.pid,
    hints: [],
    stop: () => (stopping ??= stop()),
  };
}

export function isDevServiceError(err: unknown): err is DevServiceError {
  return err instanceof DevServiceError;
}
