// Idempotency-Key handling for writes: a retry of a committed request gets the first answer
// (replayed); the same key with a different request (other fields or files) is refused; a retry while
// the first is genuinely still running is told so. The answer commits with the work, and the running
// request's claim is a lock on its own connection, so a crash of the process releases it at once.
import { createHash } from 'node:crypto';
import type { Pool, PoolClient } from '../storage/db.js';
import * as repo from '../storage/catalog/idempotency.js';
import { AppError, bi } from './errors.js';
import { IDEMPOTENCY_TTL_HOURS } from './recovery.js';

export interface RequestShape {
  method: string;
  path: string;
  fields: Record<string, unknown>;
  /** SHA-256 of each file, in order. */
  files: string[];
}

/** The fingerprint of a request: method, path, fields (sorted) and each file's SHA-256 in order. */
export function fingerprint(r: RequestShape): string {
  const fields = Object.keys(r.fields)
    .sort()
    .map((k) => [k, r.fields[k]]);
  return createHash('sha256').update(JSON.stringify([r.method.toUpperCase(), r.path, fields, r.files])).digest('hex');
}

/** What a write running under a key gets: the connection to commit on, and how to record its answer. */
export interface IdempotencyScope {
  client: PoolClient;
  /** Call inside the transaction that commits the work. */
  record(tx: PoolClient, statusCode: number, body: unknown): Promise<void>;
}

export interface Answer<T> {
  status: number;
  body: T;
  replayed: boolean;
}

export class Idempotency {
  constructor(private readonly db: Pool) {}

  static checkKey(key: string): void {
    if (key.length > 200 || !/^[\x21-\x7e]+$/.test(key)) {
      throw new AppError(
        'VALIDATION_FAILED',
        bi('tiêu đề Idempotency-Key gồm 1–200 ký tự ASCII in được, không có dấu cách', 'the Idempotency-Key header is 1-200 printable ASCII characters without spaces'),
        { field: 'Idempotency-Key' },
      );
    }
  }

  async run<T>(owner: string, key: string, request: RequestShape, work: (scope: IdempotencyScope) => Promise<{ status: number; body: T }>): Promise<Answer<T>> {
    Idempotency.checkKey(key);
    const fp = fingerprint(request);
    const client = await this.db.connect();
    let locked = false;
    try {
      locked = await repo.lockKey(client, owner, key);
      if (!locked) throw new AppError('IDEMPOTENCY_CONFLICT');
      const earlier = await repo.findAnswer(client, owner, key, IDEMPOTENCY_TTL_HOURS);
      if (earlier) {
        if (earlier.fingerprint !== null && earlier.fingerprint !== fp) throw new AppError('IDEMPOTENCY_KEY_REUSED', undefined, { field: 'Idempotency-Key' });
        return { status: earlier.statusCode, body: earlier.response as T, replayed: true };
      }
      const { status, body } = await work({ client, record: (tx, s, b) => repo.saveAnswer(tx, owner, key, fp, s, b) });
      await repo.updateAnswer(client, owner, key, body).catch(() => undefined);
      return { status, body, replayed: false };
    } finally {
      // A connection that cannot drop the lock must not go back to the pool still holding it.
      let broken = false;
      if (locked) await repo.unlockKey(client, owner, key).catch(() => (broken = true));
      client.release(broken);
    }
  }
}
