// `sohoa ingest`: a folder of scans through the pipeline, resumable, without ever storing a scan twice.
//
//   plan      folder listing + manifest + defaults → dossiers (bad rows reported, never fatal)
//   upload    one task per dossier, `concurrency` at once: hash, skip what the state file says is
//             accepted, send the rest (split into requests under the per-request limits) with an
//             Idempotency-Key derived from content, record each acceptance in the state file
//   follow    with --wait: every document of the batch until it rests
//   report    one row per scan (and per bad row), and a summary
import type { DocumentRole } from '../schemas/api.js';
import type { IntakeReply } from '../schemas/api.js';
import { ApiError, type ApiClient } from './api.js';
import { sha256File, type ScanFile } from './files.js';
import { addDocumentsKey, createDossierKey } from './idempotency.js';
import { addDocuments, createDossier, outgoing, type OutgoingFile } from './intake.js';
import type { RowIssue } from './manifest.js';
import type { Plan, PlannedDossier } from './plan.js';
import { runPool } from './pool.js';
import type { AcceptedFile, StateStore } from './state.js';
import { follow, type DocumentState } from './follow.js';

export interface IngestSettings {
  concurrency: number;
  /** Per request: the API's defaults are 50 files and 200 MB; staying under them avoids a refused retry. */
  maxFilesPerRequest: number;
  maxBytesPerRequest: number;
  wait: boolean;
  waitTimeoutMs: number;
}

export interface IngestHooks {
  /** A scan is settled for the upload phase: accepted now or before, or refused. */
  onSettled?: (o: FileOutcome) => void;
  onFollow?: (resting: number, total: number) => void;
  onFollowStart?: (total: number) => void;
}

export type OutcomeKind = 'accepted' | 'refused' | 'invalid' | 'not-sent';

export interface FileOutcome {
  file: string;
  line: number | null;
  kind: OutcomeKind;
  /** Accepted in this run (false: in an earlier one, found in the state file). */
  acceptedNow: boolean;
  dossierCode: string | null;
  documentId: string | null;
  duplicateOf: string | null;
  sameAs: string | null;
  pages: number | null;
  /** The last status known: the acceptance's, or the one --wait followed it to. */
  status: string | null;
  docType: string | null;
  code: string | null;
  error: { code: string; message: string; vars?: Record<string, string | number> } | null;
  createdAt: string | null;
  updatedAt: string | null;
}

export interface IngestResult {
  outcomes: FileOutcome[];
  followed: boolean;
  /** With --wait: documents that had not rested when following stopped. */
  stillMoving: number;
}

/**
 * Errors that concern the whole run, not one dossier: nothing else would go through either (a refused
 * key, an unknown unit, the API away for longer than --retry-for). A 500 that persists for one request is that
 * dossier's problem: it is reported and the batch goes on.
 */
function isFatal(err: unknown): boolean {
  if (!(err instanceof ApiError)) return true;
  if (err.code === 'UNIT_UNKNOWN') return true; // every dossier of the batch names the same unit
  return err.status === 401 || err.status === 403 || err.status === 502 || err.status === 503 || err.status === 504;
}

interface Item {
  planned: PlannedDossier['files'][number];
  sha256: string;
  out: OutgoingFile;
}

function blank(file: string, line: number | null, kind: OutcomeKind): FileOutcome {
  return {
    file,
    line,
    kind,
    acceptedNow: false,
    dossierCode: null,
    documentId: null,
    duplicateOf: null,
    sameAs: null,
    pages: null,
    status: null,
    docType: null,
    code: null,
    error: null,
    createdAt: null,
    updatedAt: null,
  };
}

function fromState(file: string, line: number | null, a: AcceptedFile, now: boolean): FileOutcome {
  return {
    ...blank(file, line, 'accepted'),
    acceptedNow: now,
    dossierCode: a.dossierCode,
    documentId: a.documentId,
    duplicateOf: a.duplicateOf,
    sameAs: a.sameAs ?? null,
    pages: a.pages,
    status: 'queued',
  };
}

/** Splits files into requests under the count and byte limits, keeping their order. */
export function chunkFiles<T extends { size: number }>(files: readonly T[], maxFiles: number, maxBytes: number): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const f of files) {
    if (current.length > 0 && (current.length >= maxFiles || bytes + f.size > maxBytes)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(f);
    bytes += f.size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

export class Ingest {
  private readonly outcomes = new Map<string, FileOutcome>();
  /** Single-scan dossiers with the same key (same bytes, same fields) share one request. */
  private readonly sameKey = new Map<string, Promise<{ file: string; outcome: FileOutcome }>>();
  private readonly run = new AbortController();

  constructor(
    private readonly client: ApiClient,
    private readonly state: StateStore,
    private readonly plan: Plan,
    private readonly settings: IngestSettings,
    private readonly hooks: IngestHooks = {},
    private readonly signal?: AbortSignal,
  ) {}

  /** Scans already accepted in an earlier run, by the cheap check (same size and modification time). */
  countKnown(): number {
    let n = 0;
    for (const d of this.plan.dossiers) {
      for (const f of d.files) {
        const a = this.state.accepted(f.scan.rel);
        if (a && a.size === f.scan.size && a.mtimeMs === f.scan.mtimeMs) n++;
      }
    }
    return n;
  }

  get plannedFiles(): number {
    return this.plan.dossiers.reduce((n, d) => n + d.files.length, 0);
  }

  private settle(o: FileOutcome): void {
    this.outcomes.set(o.file, o);
    this.hooks.onSettled?.(o);
  }

  private refuse(item: { scan: ScanFile; line: number | null }, err: ApiError): void {
    this.settle({ ...blank(item.scan.rel, item.line, 'refused'), error: { code: err.code, message: err.apiMessage } });
  }

  async upload(): Promise<void> {
    const stop = () => this.run.abort(this.signal?.reason);
    if (this.signal?.aborted) stop();
    this.signal?.addEventListener('abort', stop, { once: true });
    try {
      await runPool(this.plan.dossiers, this.settings.concurrency, this.run.signal, async (d) => {
        try {
          await this.uploadDossier(d);
        } catch (err) {
          if (isFatal(err) && !this.run.signal.aborted) this.run.abort(err);
          throw err;
        }
      });
    } catch (err) {
      // The first fatal error is the one to report, not the cancellations it caused in the others.
      throw this.run.signal.aborted && this.run.signal.reason !== undefined ? this.run.signal.reason : err;
    } finally {
      this.signal?.removeEventListener('abort', stop);
    }
  }

  private async hashed(d: PlannedDossier): Promise<Item[]> {
    const items: Item[] = [];
    for (const f of d.files) {
      this.run.signal.throwIfAborted();
      const prev = this.state.accepted(f.scan.rel);
      if (prev && prev.size === f.scan.size && prev.mtimeMs === f.scan.mtimeMs) {
        this.settle(fromState(f.scan.rel, f.line, prev, false));
        continue;
      }
      const sha256 = await sha256File(f.scan.abs);
      if (prev && prev.sha256 === sha256) {
        // Touched but unchanged (copied, restored from a backup): still accepted.
        await this.state.record([[f.scan.rel, { ...prev, size: f.scan.size, mtimeMs: f.scan.mtimeMs }]]);
        this.settle(fromState(f.scan.rel, f.line, prev, false));
        continue;
      }
      items.push({ planned: f, sha256, out: outgoing(f.scan.abs, sha256, f.role) });
    }
    return items;
  }

  private async accept(d: PlannedDossier, reply: IntakeReply, sent: Item[]): Promise<void> {
    // The API answers in the order the files were sent; the checksum confirms each pairing.
    const docs = [...reply.documents];
    const pairs = sent.map((item, i) => {
      const at = docs[i]?.sha256 === item.sha256 ? i : docs.findIndex((doc) => doc?.sha256 === item.sha256);
      const doc = at >= 0 ? docs[at]! : null;
      if (at >= 0) docs[at] = undefined as never;
      return { item, doc };
    });
    const now = new Date().toISOString();
    const entries: [string, AcceptedFile][] = [];
    for (const { item, doc } of pairs) {
      if (!doc) continue;
      const other = this.state.scanOf(doc.id);
      entries.push([
        item.planned.scan.rel,
        {
          sha256: item.sha256,
          size: item.planned.scan.size,
          mtimeMs: item.planned.scan.mtimeMs,
          dossierCode: reply.dossierCode,
          documentId: doc.id,
          duplicateOf: doc.duplicateOf,
          pages: doc.pages,
          acceptedAt: now,
          ...(other && other !== item.planned.scan.rel ? { sameAs: other } : {}),
        },
      ]);
    }
    await this.state.record(entries, { id: d.id, code: reply.dossierCode });
    for (const [rel, a] of entries) {
      const item = sent.find((s) => s.planned.scan.rel === rel)!;
      this.settle({ ...fromState(rel, item.planned.line, a, true), status: reply.documents.find((x) => x.id === a.documentId)?.status ?? 'queued' });
    }
  }

  private async uploadDossier(d: PlannedDossier): Promise<void> {
    const items = await this.hashed(d);
    if (items.length === 0) return;

    // A lone scan whose bytes and dossier fields equal another's in this run: same key, same answer.
    if (d.id.startsWith('file:') && items.length === 1) {
      const item = items[0]!;
      const key = createDossierKey(d.fields, [item.out]);
      const first = this.sameKey.get(key);
      if (first) {
        const { file, outcome } = await first;
        if (outcome.kind === 'accepted') {
          const entry: AcceptedFile = {
            sha256: item.sha256,
            size: item.planned.scan.size,
            mtimeMs: item.planned.scan.mtimeMs,
            dossierCode: outcome.dossierCode!,
            documentId: outcome.documentId!,
            duplicateOf: outcome.duplicateOf,
            pages: outcome.pages,
            acceptedAt: new Date().toISOString(),
            sameAs: file,
          };
          await this.state.record([[item.planned.scan.rel, entry]], { id: d.id, code: entry.dossierCode });
          this.settle({ ...fromState(item.planned.scan.rel, item.planned.line, entry, true), status: outcome.status });
        } else {
          this.settle({ ...outcome, file: item.planned.scan.rel, line: item.planned.line, sameAs: file });
        }
        return;
      }
      let release!: (v: { file: string; outcome: FileOutcome }) => void;
      this.sameKey.set(key, new Promise((r) => (release = r)));
      try {
        await this.send(d, items);
      } finally {
        const rel = item.planned.scan.rel;
        release({ file: rel, outcome: this.outcomes.get(rel) ?? blank(rel, item.planned.line, 'not-sent') });
      }
      return;
    }
    await this.send(d, items);
  }

  private async send(d: PlannedDossier, items: Item[]): Promise<void> {
    let dossierCode: string | null =
      this.state.data.dossiers[d.id] ??
      d.files.map((f) => this.state.accepted(f.scan.rel)?.dossierCode).find((c): c is string => Boolean(c)) ??
      null;
    const queue = chunkFiles(
      items.map((i) => Object.assign(i, { size: i.planned.scan.size })),
      this.settings.maxFilesPerRequest,
      this.settings.maxBytesPerRequest,
    );
    while (queue.length > 0) {
      const chunk = queue.shift()!;
      const files = chunk.map((i) => i.out);
      try {
        const reply = dossierCode
          ? await addDocuments(this.client, dossierCode, files, addDocumentsKey(dossierCode, files))
          : await createDossier(this.client, d.fields, files, createDossierKey(d.fields, files));
        dossierCode = reply.dossierCode;
        await this.accept(d, reply, chunk);
      } catch (err) {
        if (!(err instanceof ApiError) || isFatal(err)) throw err;
        if (err.code === 'DOSSIER_EXISTS' && !dossierCode && d.fields.dossierCode) {
          // The manifest names a dossier that is already there: the scans are added to it.
          dossierCode = d.fields.dossierCode;
          queue.unshift(chunk);
          continue;
        }
        if ((err.code === 'TOO_MANY_FILES' || err.code === 'REQUEST_TOO_LARGE') && chunk.length > 1) {
          const half = Math.ceil(chunk.length / 2);
          queue.unshift(chunk.slice(0, half), chunk.slice(half));
          continue;
        }
        const culprit = err.file ? chunk.find((i) => i.out.name === err.file) : undefined;
        if (culprit) {
          // One bad scan refuses the whole request; the others go again without it.
          this.refuse({ scan: culprit.planned.scan, line: culprit.planned.line }, err);
          const rest = chunk.filter((i) => i !== culprit);
          if (rest.length > 0) queue.unshift(rest);
          continue;
        }
        // About the dossier itself (its applicant, its unit, its code): no scan of it can go.
        for (const i of [...chunk, ...queue.flat()]) this.refuse({ scan: i.planned.scan, line: i.planned.line }, err);
        return;
      }
    }
  }

  /** Everything about the batch, for the report: every planned scan, and every bad row or file. */
  result(issues: RowIssue[], followed: Map<string, DocumentState> | null, stillMoving: number): IngestResult {
    const rows: FileOutcome[] = [];
    for (const d of this.plan.dossiers) {
      for (const f of d.files) {
        const o = this.outcomes.get(f.scan.rel) ?? blank(f.scan.rel, f.line, 'not-sent');
        const doc = o.documentId ? followed?.get(o.documentId) : undefined;
        rows.push(
          doc
            ? {
                ...o,
                status: doc.status,
                docType: doc.docType,
                code: doc.code,
                pages: doc.pages ?? o.pages,
                error: doc.error ? { code: doc.error.code, message: doc.error.message } : null,
                createdAt: doc.createdAt,
                updatedAt: doc.updatedAt,
              }
            : o,
        );
      }
    }
    for (const issue of issues) {
      rows.push({ ...blank(issue.file ?? '', issue.line, 'invalid'), error: { code: issue.code, message: '', vars: issue.vars } });
    }
    rows.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : (a.line ?? 0) - (b.line ?? 0)));
    return { outcomes: rows, followed: followed !== null, stillMoving };
  }

  /** The documents of this batch (each once), for --wait. */
  acceptedDocuments(): Map<string, string> {
    const docs = new Map<string, string>();
    for (const o of this.outcomes.values()) if (o.kind === 'accepted' && o.documentId && o.dossierCode) docs.set(o.documentId, o.dossierCode);
    return docs;
  }

  async follow(): Promise<{ states: Map<string, DocumentState>; stillMoving: number }> {
    const docs = this.acceptedDocuments();
    this.hooks.onFollowStart?.(docs.size);
    const states = await follow(this.client, docs, {
      concurrency: this.settings.concurrency,
      timeoutMs: this.settings.waitTimeoutMs,
      signal: this.signal,
      onChange: (resting, total) => this.hooks.onFollow?.(resting, total),
    });
    const stillMoving = [...docs.keys()].filter((id) => !['done', 'review', 'failed'].includes(states.get(id)?.status ?? '')).length;
    return { states, stillMoving };
  }
}

export type { DocumentRole };
