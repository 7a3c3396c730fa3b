// All settings come from environment variables, validated once at start. The README lists them.
import os from 'node:os';
import path from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

const Int = (def: number, min = 0) => Type.Integer({ default: def, minimum: min });

export const ConfigSchema = Type.Object({
  NODE_ENV: Type.String({ default: 'development' }),
  PORT: Int(3000, 0),
  WORKER_METRICS_PORT: Int(9464, 0),
  HOST: Type.String({ default: '127.0.0.1' }),
  // Unset DATABASE_URL / REDIS_URL mean "the default address": used when something answers there, else
  // (npm start, outside production) a development server is started (services/devservices).
  DATABASE_URL: Type.Optional(Type.String({ minLength: 1 })),
  REDIS_URL: Type.Optional(Type.String({ minLength: 1 })),
  DEFAULT_DATABASE_URL: Type.String({ default: 'postgres://postgres@127.0.0.1:5432/motcua' }),
  DEFAULT_REDIS_URL: Type.String({ default: 'redis://127.0.0.1:6379' }),
  EMBEDDED_SERVICES: Type.String({ default: 'auto', pattern: '^(auto|1|0|true|false)$' }),
  EMBEDDED_PG_PORT: Int(0, 0),
  EMBEDDED_REDIS_PORT: Int(0, 0),
  QUEUE_PREFIX: Type.String({ default: 'motcua' }),
  S3_ENDPOINT: Type.Optional(Type.String({ minLength: 1 })),
  S3_ACCESS_KEY: Type.Optional(Type.String()),
  S3_SECRET_KEY: Type.Optional(Type.String()),
  S3_REGION: Type.String({ default: 'us-east-1' }),
  S3_BUCKET_ORIGINALS: Type.String({ default: 'originals', pattern: '^[a-z0-9][a-z0-9.-]{2,62}$' }),
  S3_BUCKET_RESULTS: Type.String({ default: 'results', pattern: '^[a-z0-9][a-z0-9.-]{2,62}$' }),
  EMBEDDED_S3_PORT: Int(9310, 0),
  DATA_DIR: Type.String({ default: './data' }),
  ADMIN_API_KEY: Type.Optional(Type.String({ minLength: 16 })),
  UNITS_FILE: Type.Optional(Type.String()),
  MAX_FILE_BYTES: Int(50 * 1024 * 1024, 1),
  MAX_REQUEST_BYTES: Int(200 * 1024 * 1024, 1),
  MAX_FILES_PER_REQUEST: Int(50, 1),
  MAX_IMAGE_PIXELS: Int(120_000_000, 1),
  MIN_IMAGE_SIDE: Int(100, 1),
  MAX_PAGES: Int(300, 1),
  WORKER_CONCURRENCY: Int(2, 1),
  JOB_ATTEMPTS: Int(5, 1),
  JOB_BACKOFF_MS: Int(2000, 0),
  // Workers renew their job locks every half lock while the event loop is free (CPU work runs in
  // threads), so a short lock lets a killed worker's jobs be taken over quickly (README: recovery).
  JOB_LOCK_MS: Int(30_000, 5000),
  JOB_STALLED_INTERVAL_MS: Int(15_000, 1000),
  RECOVERY_INTERVAL_MS: Int(10_000, 1000),
  MAX_QUEUED_JOBS: Int(5000, 1),
  QUEUE_RETRY_AFTER_S: Int(30, 1),
  DB_POOL_MAX: Int(20, 2),
  SHUTDOWN_TIMEOUT_MS: Int(30_000, 1000),
  OCR_WORKERS: Int(Math.max(1, os.availableParallelism()), 1),
  OCR_RECYCLE_PAGES: Int(25, 1),
  OCR_PAGE_TIMEOUT_MS: Int(120_000, 1000),
  OCR_MIN_CONFIDENCE: Int(70, 0),
  SIGNING_KEY_PASSPHRASE: Type.String({ default: 'dev-only-passphrase' }),
  PKI_DIR: Type.Optional(Type.String()),
  TSA_URL: Type.Optional(Type.String()),
  LOG_LEVEL: Type.String({ default: 'info', pattern: '^(fatal|error|warn|info|debug|trace|silent)$' }),
});

export type Config = Omit<Static<typeof ConfigSchema>, 'DATABASE_URL' | 'REDIS_URL'> & {
  DATABASE_URL: string;
  REDIS_URL: string;
  /** DATABASE_URL / REDIS_URL were given (never replaced by an embedded development server). */
  databaseConfigured: boolean;
  redisConfigured: boolean;
  dataDir: string;
  embeddedStore: boolean;
};

export class ConfigError extends Error {}

/** Reads and validates the environment; throws ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(ConfigSchema.properties)) {
    const v = env[key];
    if (v !== undefined && v !== '') raw[key] = v;
  }
  const withDefaults = Value.Default(ConfigSchema, Value.Convert(ConfigSchema, raw));
  const errors = [...Value.Errors(ConfigSchema, withDefaults)];
  if (errors.length > 0) {
    const lines = errors.map((e) => `  ${e.path.slice(1) || '(root)'}: ${e.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const cfg = withDefaults as Static<typeof ConfigSchema>;
  if (cfg.S3_ENDPOINT && (!cfg.S3_ACCESS_KEY || !cfg.S3_SECRET_KEY)) {
    throw new ConfigError('Invalid configuration:\n  S3_ACCESS_KEY and S3_SECRET_KEY are required with S3_ENDPOINT');
  }
  return {
    ...cfg,
    DATABASE_URL: cfg.DATABASE_URL ?? cfg.DEFAULT_DATABASE_URL,
    REDIS_URL: cfg.REDIS_URL ?? cfg.DEFAULT_REDIS_URL,
    databaseConfigured: cfg.DATABASE_URL !== undefined,
    redisConfigured: cfg.REDIS_URL !== undefined,
    dataDir: path.resolve(cfg.DATA_DIR),
    embeddedStore: !cfg.S3_ENDPOINT,
  };
}
