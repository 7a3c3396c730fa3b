// Boot and shutdown of the whole system, shared by main.ts and the tests: connect (with a clear message
// for whatever is missing), migrate, load the registry, then serve HTTP and/or run the workers.
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import type { AppContext } from './context.js';
import { createLogger, type Logger } from './logger.js';
import { createMetrics } from './metrics.js';
import { UnitDirectory, loadRegistry } from './units.js';
import { Engines } from './engines.js';
import { Knowledge } from './knowledge.js';
import { Signatures } from './signatures.js';
import { buildOpsServer, buildServer } from './http/server.js';
import { startRecoverySweep, sweep } from './recovery.js';
import { createPool, ensureDatabase, migrate } from '../storage/db.js';
import { createObjectStore } from '../storage/objects.js';
import { createQueues, type Queues } from '../storage/queues.js';
import { createNotices } from '../storage/notices.js';
import { closePdfInspector } from './pdf-inspect.js';
import * as documents from '../storage/catalog/documents.js';
import { STAGES } from '../schemas/jobs.js';
import { startWorkers, type Workers } from '../workers/index.js';

/** `tool`: the context alone (catalog, store, queues), for command-line tools such as `npm run check`. */
export type Mode = 'all' | 'api' | 'worker' | 'tool';

export class StartupError extends Error {}

export interface RunningApp {
  ctx: AppContext;
  server: FastifyInstance | null;
  url: string | null;
  stop(): Promise<void>;
}

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}

async function connectPostgres(config: Config, log: Logger) {
  try {
    await ensureDatabase(config.DATABASE_URL);
    await migrate(config.DATABASE_URL, (msg) => log.debug({ component: 'migrate' }, msg));
  } catch (err) {
    throw new StartupError(
      `PostgreSQL is not usable at ${redact(config.DATABASE_URL)}: ${(err as Error).message}\n` +
        'Start it (Debian: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start; ' +
        'Docker: docker compose up -d postgres) or set DATABASE_URL.',
    );
  }
  return createPool(config.DATABASE_URL, config.DB_POOL_MAX);
}

/** The queues live in Redis: an evicting Redis could drop accepted work without a trace. */
async function checkEviction(config: Config, queues: Queues): Promise<void> {
  const policy = await queues.evictionPolicy();
  if (policy !== null && policy !== 'noeviction') {
    throw new StartupError(
      `Redis at ${redact(config.REDIS_URL)} evicts keys (maxmemory-policy ${policy}); queued work could vanish.\n` +
        'Set it to noeviction: redis-cli CONFIG SET maxmemory-policy noeviction (and in redis.conf).',
    );
  }
}

async function connectRedis(config: Config, queues: ReturnType<typeof createQueues>) {
  try {
    await Promise.race([
      queues.ping(),
      new Promise((_, reject) => setTimeout(() => reject(new Error('no answer within 5 s')), 5000).unref()),
    ]);
  } catch (err) {
    await queues.close().catch(() => undefined);
    throw new StartupError(
      `Redis is not reachable at ${redact(config.REDIS_URL)}: ${(err as Error).message}\n` +
        'Start it (redis-server --daemonize yes --appendonly yes; Docker: docker compose up -d redis) or set REDIS_URL.',
    );
  }
}

export async function startApp(config: Config, mode: Mode, log: Logger = createLogger(config.LOG_LEVEL)): Promise<RunningApp> {
  const queues = createQueues(
    { redisUrl: config.REDIS_URL, prefix: config.QUEUE_PREFIX, attempts: config.JOB_ATTEMPTS, backoffMs: config.JOB_BACKOFF_MS },
    STAGES,
  );
  await connectRedis(config, queues);
  await checkEviction(config, queues).catch(async (err) => {
    await queues.close();
    throw err;
  });
  const db = await connectPostgres(config, log).catch(async (err) => {
    await queues.close();
    throw err;
  });
  let store;
  try {
    store = await createObjectStore({
      endpoint: config.S3_ENDPOINT,
      accessKey: config.S3_ACCESS_KEY,
      secretKey: config.S3_SECRET_KEY,
      region: config.S3_REGION,
      buckets: [config.S3_BUCKET_ORIGINALS, config.S3_BUCKET_RESULTS],
      embedded: config.embeddedStore ? { directory: path.join(config.dataDir, 's3'), port: config.EMBEDDED_S3_PORT } : undefined,
    });
  } catch (err) {
    await Promise.all([queues.close(), db.end()]);
    throw new StartupError(`The object store is not reachable: ${(err as Error).message}\nStart MinIO (docker compose up -d minio) or unset S3_ENDPOINT for the embedded development store.`);
  }
  log.info({ store: store.description }, config.embeddedStore ? 'using the embedded DEVELOPMENT object store' : 'object store ready');

  const units = new UnitDirectory(db);
  const notices = createNotices(config.REDIS_URL, config.QUEUE_PREFIX, queues.redis);
  const ctx: AppContext = {
    config,
    log,
    db,
    store,
    queues,
    metrics: createMetrics({ queueCounts: () => queues.counts(), documentStats: () => documents.documentStats(db) }),
    units,
    engines: new Engines(config),
    knowledge: new Knowledge(db),
    signatures: new Signatures(config, log),
    notices,
  };
  await loadRegistry(db, config.UNITS_FILE ?? undefined);
  await units.refresh();
  await ctx.signatures.ensureDevPki(units);
  // A registry change made here reaches every process: a new unit gets its development certificate,
  // and the others reload their registry and identities.
  units.announce = async () => {
    if ((await ctx.signatures.ensureDevPki(units)) > 0) await notices.publish('pki').catch(() => undefined);
    await notices.publish('units').catch((err: Error) => log.warn({ err: err.message }, 'could not announce a unit change; others reload within a minute'));
  };
  await notices.subscribe((notice) => {
    log.info({ notice }, 'reloading after a change notice');
    if (notice === 'units') void units.refresh().catch(() => undefined);
    else ctx.signatures.reload();
  });
  const unitTtl = setInterval(() => void units.refresh().catch(() => undefined), 60_000);
  unitTtl.unref();

  let server: FastifyInstance | null = null;
  let url: string | null = null;
  let workers: Workers | null = null;
  let stopSweep: (() => void) | null = null;
  if (mode === 'all' || mode === 'api') {
    server = await buildServer(ctx);
    url = await server.listen({ port: config.PORT, host: config.HOST });
    log.info({ url, docs: `${url}/docs` }, 'API listening');
    if (!config.ADMIN_API_KEY) log.warn('ADMIN_API_KEY is not set: no admin key exists to create the first API keys');
  }
  if (mode === 'worker' && config.WORKER_METRICS_PORT > 0) {
    // A standalone worker still answers /health, /ready and /metrics (job durations, failures).
    server = await buildOpsServer(ctx);
    url = await server.listen({ port: config.WORKER_METRICS_PORT, host: config.HOST });
    log.info({ url }, 'worker metrics listening');
  }
  if (mode === 'all' || mode === 'worker') {
    workers = startWorkers(ctx);
    // Whatever a crash left between stages is driven on at once, then checked every interval.
    await sweep(ctx, 0).catch((err: Error) => log.warn({ err: err.message }, 'initial recovery failed'));
    stopSweep = startRecoverySweep(ctx, config.RECOVERY_INTERVAL_MS, config.JOB_LOCK_MS);
    log.info({ stages: STAGES, concurrency: config.WORKER_CONCURRENCY }, 'workers running');
  }

  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      stopSweep?.();
      clearInterval(unitTtl);
      // In-flight uploads finish first, then in-flight jobs; only then do the pools close.
      if (server) await server.close();
      if (workers) await workers.close();
      await ctx.engines.close();
      await closePdfInspector();
      await notices.close();
      await queues.close();
      await db.end();
      await store.close();
    })();
    return stopping;
  };
  return { ctx, server, url, stop };
}
