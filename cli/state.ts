// The resume file of `sohoa ingest`: for every accepted scan, its SHA-256 and the dossier and document
// it became. It is replaced atomically (write a temporary file, fsync, rename) after every acceptance,
// so after Ctrl-C, SIGKILL or a power cut it is either the previous or the next version, never half of
// one. Writes are coalesced: while one is in flight, later acceptances wait for the next one, so a fast
// batch does not write the file once per document.
import { open, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

export const STATE_VERSION = 1;

export interface AcceptedFile {
  sha256: string;
  size: number;
  mtimeMs: number;
  dossierCode: string;
  documentId: string;
  duplicateOf: string | null;
  pages: number | null;
  acceptedAt: string;
  /** Set when this scan had the same bytes and dossier as another one: it shares that one's document. */
  sameAs?: string;
}

export interface StateData {
  version: number;
  tool: 'sohoa';
  apiUrl: string;
  unitCode: string;
  folder: string;
  updatedAt: string;
  /** By path relative to the folder. */
  files: Record<string, AcceptedFile>;
  /** Planned dossier id (`code:…`, `group:…`, `file:…`) → the dossier code it got. */
  dossiers: Record<string, string>;
}

export class StateError extends Error {
  constructor(
    readonly kind: 'corrupt' | 'mismatch' | 'locked',
    readonly detail: Record<string, string>,
  ) {
    super(kind);
  }
}

export function defaultStatePath(folder: string): string {
  const abs = path.resolve(folder);
  return path.join(path.dirname(abs), `${path.basename(abs)}.sohoa-state.json`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class StateStore {
  readonly data: StateData;
  private generation = 0;
  private written = 0;
  private writing: Promise<void> | null = null;
  private waiters: { gen: number; resolve: () => void; reject: (e: unknown) => void }[] = [];
  private lockPath: string;
  /** Document id → the first scan recorded with it, so a batch of a million scans looks up in O(1). */
  private readonly byDocumentId = new Map<string, string>();

  private constructor(
    readonly file: string,
    data: StateData,
  ) {
    this.data = data;
    this.lockPath = `${file}.lock`;
    for (const [rel, a] of Object.entries(data.files)) if (!this.byDocumentId.has(a.documentId)) this.byDocumentId.set(a.documentId, rel);
  }

  /** Opens (or starts) the state of a batch; refuses a state written for another unit or API. */
  static async open(file: string, init: { apiUrl: string; unitCode: string; folder: string }): Promise<StateStore> {
    let data: StateData;
    let text: string | null = null;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new StateError('corrupt', { path: file, detail: (err as Error).message });
    }
    if (text === null) {
      data = { version: STATE_VERSION, tool: 'sohoa', ...init, updatedAt: new Date().toISOString(), files: {}, dossiers: {} };
    } else {
      try {
        data = JSON.parse(text) as StateData;
      } catch (err) {
        throw new StateError('corrupt', { path: file, detail: (err as Error).message.slice(0, 120) });
      }
      if (data?.tool !== 'sohoa' || data.version !== STATE_VERSION || typeof data.files !== 'object' || data.files === null) {
        throw new StateError('corrupt', { path: file, detail: 'not a sohoa state file of this version' });
      }
      data.dossiers ??= {};
      // The same API reached by another name (localhost vs 127.0.0.1) is not told apart; the unit is
      // what matters: a state of another unit would skip scans that unit never received.
      if (data.unitCode !== init.unitCode) {
        throw new StateError('mismatch', { path: file, unit: data.unitCode, url: data.apiUrl });
      }
    }
    const store = new StateStore(file, data);
    await store.lock();
    return store;
  }

  /** One run per state file at a time; a lock left by a killed run (its process is gone) is taken over. */
  private async lock(): Promise<void> {
    for (let tries = 0; tries < 2; tries++) {
      try {
        const fh = await open(this.lockPath, 'wx');
        await fh.writeFile(String(process.pid));
        await fh.close();
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const pid = Number((await readFile(this.lockPath, 'utf8').catch(() => '')).trim());
        if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) {
          throw new StateError('locked', { path: this.file, pid: String(pid), lock: this.lockPath });
        }
        await unlink(this.lockPath).catch(() => undefined);
      }
    }
    throw new StateError('locked', { path: this.file, pid: '?', lock: this.lockPath });
  }

  async unlock(): Promise<void> {
    await unlink(this.lockPath).catch(() => undefined);
  }

  accepted(rel: string): AcceptedFile | undefined {
    return this.data.files[rel];
  }

  /** The scan already recorded with this document, if any. */
  scanOf(documentId: string): string | undefined {
    return this.byDocumentId.get(documentId);
  }

  /** Records acceptances; resolves once a version of the file containing them is on disk. */
  async record(entries: [string, AcceptedFile][], dossier?: { id: string; code: string }): Promise<void> {
    for (const [rel, entry] of entries) {
      this.data.files[rel] = entry;
      if (!this.byDocumentId.has(entry.documentId)) this.byDocumentId.set(entry.documentId, rel);
    }
    if (dossier) this.data.dossiers[dossier.id] = dossier.code;
    await this.save();
  }

  save(): Promise<void> {
    const gen = ++this.generation;
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ gen, resolve, reject }));
    if (!this.writing) this.writing = this.flush();
    return done;
  }

  private async flush(): Promise<void> {
    try {
      while (this.written < this.generation) {
        const gen = this.generation;
        this.data.updatedAt = new Date().toISOString();
        await writeAtomically(this.file, JSON.stringify(this.data));
        this.written = gen;
        this.waiters = this.waiters.filter((w) => (w.gen <= gen ? (w.resolve(), false) : true));
      }
    } catch (err) {
      for (const w of this.waiters) w.reject(err);
      this.waiters = [];
    } finally {
      this.writing = null;
    }
  }
}

export async function writeAtomically(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(text);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, file);
  // The rename itself is durable once the folder's entry is flushed too.
  const dir = await open(path.dirname(file), 'r').catch(() => null);
  if (dir) {
    await dir.sync().catch(() => undefined);
    await dir.close();
  }
}

/** Writes a whole text file atomically, for reports. */
export async function writeFileAtomically(file: string, text: string): Promise<void> {
  await writeAtomically(file, text).catch(async (err) => {
    await unlink(`${file}.${process.pid}.tmp`).catch(() => undefined);
    await writeFile(file, text).catch(() => {
      throw err;
    });
  });
}
