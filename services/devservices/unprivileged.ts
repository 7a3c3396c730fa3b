// PostgreSQL refuses to run as root ("root execution of the PostgreSQL server is not permitted"). When
// this process is root, initdb and postgres run as an unprivileged account instead: `postgres` when the
// machine has one (the account the distribution's packages run PostgreSQL as), else a system account
// `motcua-pg` created for it, and only then. Node's spawn() switches to it (setgid, setuid, and it drops
// supplementary groups), so access is decided by the account's uid and primary gid alone.
import { execFile } from 'node:child_process';
import { chmod, stat } from 'node:fs/promises';
import path from 'node:path';
import { DevServiceError } from './errors.js';

export interface RunAs {
  name: string;
  uid: number;
  gid: number;
}

export const CREATED_ACCOUNT = 'motcua-pg';

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, (err, stdout, stderr) => (err ? reject(new Error(`${cmd} ${args.join(' ')}: ${stderr.trim() || err.message}`)) : resolve(stdout)));
  });
}

async function lookup(name: string): Promise<RunAs | null> {
  try {
    const [uid, gid] = await Promise.all([run('id', ['-u', name]), run('id', ['-g', name])]);
    return { name, uid: Number(uid.trim()), gid: Number(gid.trim()) };
  } catch {
    return null;
  }
}

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/** The account PostgreSQL runs as when this process is root; creates `motcua-pg` if no `postgres` exists. */
export async function unprivilegedAccount(onCreate: (name: string) => void): Promise<RunAs> {
  const existing = (await lookup('postgres')) ?? (await lookup(CREATED_ACCOUNT));
  if (existing) return existing;
  if (process.platform !== 'linux') {
    throw new DevServiceError(
      'PostgreSQL does not run as root and there is no "postgres" account to run it as: run npm start as an ordinary user, or set DATABASE_URL',
    );
  }
  // A system account with no home and no login shell; useradd (Debian, Fedora, ...) or BusyBox (Alpine).
  const attempts: [string, string[]][] = [
    ['useradd', ['--system', '--user-group', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', CREATED_ACCOUNT]],
    ['adduser', ['-S', '-D', '-H', '-h', '/nonexistent', '-s', '/sbin/nologin', CREATED_ACCOUNT]],
  ];
  const failures: string[] = [];
  for (const [cmd, args] of attempts) {
    try {
      await run(cmd, args);
      const created = await lookup(CREATED_ACCOUNT);
      if (created) {
        onCreate(CREATED_ACCOUNT);
        return created;
      }
    } catch (err) {
      failures.push((err as Error).message);
    }
  }
  throw new DevServiceError(
    `PostgreSQL does not run as root and the account "${CREATED_ACCOUNT}" to run it as could not be created (${failures.join('; ')}): ` +
      'create an unprivileged account named postgres, run npm start as an ordinary user, or set DATABASE_URL',
  );
}

function canSearch(st: { uid: number; gid: number; mode: number }, who: RunAs): boolean {
  if (st.uid === who.uid) return (st.mode & 0o100) !== 0;
  if (st.gid === who.gid) return (st.mode & 0o010) !== 0;
  return (st.mode & 0o001) !== 0;
}

/**
 * Makes sure `who` can reach `dir`: every directory above it must be searchable. Directories at or below
 * `ownedRoot` (DATA_DIR, ours) get search permission for others (o+x: enter, not list); a directory
 * above it that is closed is left alone and named in the error.
 */
export async function ensureReachable(dir: string, ownedRoot: string, who: RunAs, onChange: (dir: string) => void): Promise<void> {
  const target = path.resolve(dir);
  const root = path.resolve(ownedRoot);
  const chain: string[] = [];
  for (let d = path.dirname(target); ; d = path.dirname(d)) {
    chain.unshift(d);
    if (path.dirname(d) === d) break;
  }
  for (const d of chain) {
    const st = await stat(d);
    if (canSearch(st, who)) continue;
    const ours = d === root || d.startsWith(root + path.sep);
    if (!ours) {
      throw new DevServiceError(
        `PostgreSQL runs as the account "${who.name}" (it refuses root), which cannot enter ${d}: ` +
          `allow it (chmod o+x ${d}), choose a DATA_DIR it can reach, or set DATABASE_URL`,
      );
    }
    await chmod(d, (st.mode & 0o7777) | 0o001);
    onChange(d);
  }
}
