// `--wait`: follow documents until each rests (done, review or failed). One GET per dossier per round
// (a dossier answer carries all its documents), only for dossiers with a document still moving, at
// most `concurrency` at once; rounds slow down from 1 s to 5 s while nothing changes.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Document } from '../schemas/api.js';
import { ApiError, type ApiClient } from './api.js';
import { RESTING, type DossierView } from './intake.js';
import { runPool } from './pool.js';

export type DocumentState = Pick<Document, 'id' | 'status' | 'error' | 'pages' | 'docType' | 'code' | 'duplicateOf' | 'createdAt' | 'updatedAt'>;

export interface FollowOptions {
  concurrency: number;
  /** 0: no limit. */
  timeoutMs: number;
  signal?: AbortSignal;
  onChange?: (resting: number, total: number, doc: DocumentState) => void;
  minIntervalMs?: number;
  maxIntervalMs?: number;
}

const pickState = (d: Document): DocumentState => ({
  id: d.id,
  status: d.status,
  error: d.error,
  pages: d.pages,
  docType: d.docType,
  code: d.code,
  duplicateOf: d.duplicateOf,
  createdAt: d.createdAt,
  updatedAt: d.updatedAt,
});

/** Follows `documents` (id → dossier code); returns the last state seen of each, rested or not. */
export async function follow(client: ApiClient, documents: ReadonlyMap<string, string>, opts: FollowOptions): Promise<Map<string, DocumentState>> {
  const seen = new Map<string, DocumentState>();
  const pending = new Set(documents.keys());
  const total = pending.size;
  const deadline = opts.timeoutMs > 0 ? Date.now() + opts.timeoutMs : Infinity;
  const minMs = opts.minIntervalMs ?? 1000;
  const maxMs = opts.maxIntervalMs ?? 5000;
  let interval = minMs;

  const update = (d: Document) => {
    if (!documents.has(d.id)) return false;
    const prev = seen.get(d.id);
    const state = pickState(d);
    seen.set(d.id, state);
    const changed = !prev || prev.status !== state.status || prev.updatedAt !== state.updatedAt;
    if (RESTING.has(state.status) && pending.delete(d.id)) opts.onChange?.(total - pending.size, total, state);
    return changed;
  };

  while (pending.size > 0 && Date.now() < deadline) {
    const dossiers = [...new Set([...pending].map((id) => documents.get(id)!))];
    let changed = false;
    await runPool(dossiers, opts.concurrency, opts.signal, async (code) => {
      try {
        const view = await client.get<DossierView>(`/v1/dossiers/${encodeURIComponent(code)}`);
        for (const d of view.documents) if (update(d)) changed = true;
      } catch (err) {
        // A dossier the key can no longer see: ask for its documents one by one.
        if (!(err instanceof ApiError) || err.status !== 404) throw err;
        for (const id of [...pending].filter((i) => documents.get(i) === code)) {
          const d = await client.get<Document>(`/v1/documents/${id}`);
          if (update(d)) changed = true;
        }
      }
    });
    if (pending.size === 0) break;
    interval = changed ? minMs : Math.min(maxMs, Math.round(interval * 1.5));
    await sleep(Math.max(0, Math.min(interval, deadline - Date.now())), undefined, { signal: opts.signal });
  }
  return seen;
}
