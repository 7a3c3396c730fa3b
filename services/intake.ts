// Intake: a dossier and its files. Nothing is acknowledged before it is durable: every original is in
// the object store and every catalog row committed before the caller hears 202. Queueing comes after
// the commit; a document that misses its queue (Redis down, a crash) is picked up by the recovery sweep.
import { randomUUID, webcrypto } from 'node:crypto';
import { inTransaction, withTransaction, type PoolClient } from '../storage/db.js';
import * as dossiers from '../storage/catalog/dossiers.js';
import * as documents from '../storage/catalog/documents.js';
import { recordAudit } from '../storage/catalog/audit.js';
import type { AcceptedDocument, DocumentRole, IntakeReply } from '../schemas/api.js';
import type { AppContext } from './context.js';
import type { AccessControl, Principal } from './access.js';
import { AppError, bi } from './errors.js';
import { preflight, type Preflight } from './preflight.js';
import { formatDossierCode, localDate } from './codes/index.js';
import type { CheckedDossierFields } from './dossier-fields.js';
import type { IdempotencyScope } from './idempotency.js';

export interface IncomingFile {
  fileName: string;
  bytes: Buffer;
  /** SHA-256 (hex) when the caller already computed it (for an Idempotency-Key fingerprint). */
  sha256?: string;
}

/** SHA-256 of a file, on the libuv pool (WebCrypto) so the event loop keeps serving other uploads. */
export async function sha256Of(bytes: Buffer): Promise<string> {
  return Buffer.from(await webcrypto.subtle.digest('SHA-256', bytes)).toString('hex');
}

/** Options of a write: the Idempotency-Key scope it runs under, when the client sent one. */
export interface WriteOptions {
  idempotency?: IdempotencyScope | undefined;
}

/** The calendar day in Vietnam (UTC+7), YYYY-MM-DD: dossier codes and unit validity follow local days. */
export const localDay = (d: Date) => localDate(d);

export function originalKey(unitCode: string, year: string, sha256: string): string {
  return `${unitCode}/${year}/${sha256}`;
}

type Tx = Parameters<Parameters<typeof withTransaction>[1]>[0];

function auditDossier(tx: Tx, p: Principal, action: string, dossierCode: string, unitCode: string, detail: unknown) {
  return recordAudit(tx, { actor: p.actor, actorRole: p.role, action, targetType: 'dossier', targetId: dossierCode, unitCode, detail });
}

interface CheckedFile extends IncomingFile {
  pre: Preflight;
  sha256: string;
  role: DocumentRole;
}

export class Intake {
  constructor(
    private readonly ctx: AppContext,
    private readonly access: AccessControl,
  ) {}

  private async checkUnit(p: Principal, unitCode: string, day: string): Promise<void> {
    const unit = await this.ctx.units.lookup(unitCode);
    if (!unit) {
      throw new AppError('UNIT_UNKNOWN', bi(`unitCode: ${unitCode} không có trong danh mục đơn vị (GET /v1/units)`, `unitCode: ${unitCode} is not in the unit registry (GET /v1/units)`), { field: 'unitCode' });
    }
    this.access.requireUnit(p, unitCode);
    if (!this.ctx.units.isOpenOn(unitCode, day)) {
      const succ = unit.successorCode;
      throw new AppError(
        'UNIT_CLOSED',
        bi(
          `${unitCode} không hoạt động ngày ${day}${succ ? `; đơn vị kế thừa là ${succ}` : ''}`,
          `${unitCode} is not operating on ${day}${succ ? `; its successor is ${succ}` : ''}`,
        ),
        { field: 'unitCode' },
      );
    }
  }

  /** Preflights every file first: one bad file refuses the whole request, so nothing is half-stored. */
  private async checkFiles(files: IncomingFile[], roles: DocumentRole[]): Promise<CheckedFile[]> {
    const { config } = this.ctx;
    const limits = { maxImagePixels: config.MAX_IMAGE_PIXELS, minImageSide: config.MIN_IMAGE_SIDE, maxPages: config.MAX_PAGES };
    return Promise.all(
      files.map(async (f, i) => {
        try {
          const [pre, sha256] = await Promise.all([preflight(f.bytes, limits), f.sha256 ?? sha256Of(f.bytes)]);
          return { ...f, pre, sha256, role: roles[i] ?? 'component' };
        } catch (err) {
          if (err instanceof AppError) err.file = f.fileName;
          throw err;
        }
      }),
    );
  }

  /**
   * Puts each new original in the object store. Keys are content addresses, so bytes a committed
   * document already stored are not sent again, and a retried put rewrites identical bytes.
   */
  private async storeOriginals(unitCode: string, year: string, files: CheckedFile[]): Promise<string[]> {
    const { store, config, db } = this.ctx;
    const unique = new Map(files.map((f) => [f.sha256, f]));
    const written: string[] = [];
    await Promise.all(
      [...unique.values()].map(async (f) => {
        const key = originalKey(unitCode, year, f.sha256);
        // Only duplicates pay for a stat: the catalog says the bytes are there, the store confirms it.
        if ((await documents.originalStored(db, unitCode, f.sha256, key)) && (await store.stat(config.S3_BUCKET_ORIGINALS, key))) return;
        try {
          await store.put(config.S3_BUCKET_ORIGINALS, key, f.bytes, {
            sha256: f.sha256,
            'media-type': f.pre.mediaType,
            'unit-code': unitCode,
          });
          written.push(key);
        } catch (err) {
          this.ctx.log.error({ err: (err as Error).message }, 'object store write failed');
          throw new AppError('STORE_UNAVAILABLE');
        }
      }),
    );
    return written;
  }

  /**
   * The catalog commit failed after the originals were stored: take back the objects this request
   * wrote that no committed row names (a concurrent request with the same bytes may have committed).
   * Best effort: what is left is reported by the integrity check as an orphan.
   */
  private async forgetOriginals(unitCode: string, keys: string[]): Promise<void> {
    const { store, config, db } = this.ctx;
    for (const key of keys) {
      const sha256 = key.split('/').pop() ?? '';
      try {
        if (!(await documents.originalStored(db, unitCode, sha256, key))) await store.remove(config.S3_BUCKET_ORIGINALS, key);
      } catch {
        return; // the catalog or the store is down: the integrity check will name the orphan
      }
    }
  }

  /** Stores the originals, then runs the catalog commit; nothing stays in the store if the commit fails. */
  private async storeThenCommit<T>(unitCode: string, year: string, files: CheckedFile[], opts: WriteOptions, fn: (tx: PoolClient) => Promise<T>): Promise<T> {
    const written = await this.storeOriginals(unitCode, year, files);
    try {
      return await this.commit(opts, fn);
    } catch (err) {
      if (written.length) await this.forgetOriginals(unitCode, written);
      throw err;
    }
  }

  private async enqueue(ids: string[]): Promise<boolean> {
    try {
      await this.ctx.queues.enqueue('ingest', ids);
      await documents.transition(this.ctx.db, ids, 'queued', ['received']);
      return true;
    } catch (err) {
      this.ctx.log.warn({ err: (err as Error).message, documents: ids.length }, 'enqueue failed; recovery sweep will retry');
      return false;
    }
  }

  private async insertDocuments(
    tx: Tx,
    p: Principal,
    dossierCode: string,
    unitCode: string,
    year: string,
    files: CheckedFile[],
  ): Promise<AcceptedDocument[]> {
    const accepted: AcceptedDocument[] = [];
    for (const f of files) {
      const id = randomUUID();
      const duplicateOf = await documents.findDuplicate(tx, unitCode, f.sha256);
      await documents.insertDocument(
        tx,
        {
          id,
          dossierCode,
          role: f.role,
          fileName: f.fileName,
          mediaType: f.pre.mediaType,
          size: f.bytes.length,
          sha256: f.sha256,
          unitCode,
          originalKey: originalKey(unitCode, year, f.sha256),
          pages: f.pre.pages,
          createdBy: p.actor,
        },
        duplicateOf,
      );
      accepted.push({
        id,
        fileName: f.fileName,
        status: 'received',
        duplicateOf,
        role: f.role,
        pages: f.pre.pages,
        mediaType: f.pre.mediaType,
        sha256: f.sha256,
      });
    }
    return accepted;
  }

  private async finish(channel: string, files: CheckedFile[], accepted: AcceptedDocument[]): Promise<AcceptedDocument[]> {
    const queued = await this.enqueue(accepted.map((d) => d.id));
    const { metrics } = this.ctx;
    metrics.uploads.inc({ channel });
    metrics.uploadBytes.inc({ channel }, files.reduce((n, f) => n + f.bytes.length, 0));
    for (const d of accepted) metrics.documentsAccepted.inc({ duplicate: d.duplicateOf ? 'yes' : 'no' });
    return accepted.map((d) => ({ ...d, status: queued ? 'queued' : 'received' }));
  }

  /** Runs the catalog writes of a request in one transaction, on the Idempotency-Key's connection when there is one. */
  private commit<T>(opts: WriteOptions, fn: (tx: PoolClient) => Promise<T>): Promise<T> {
    return opts.idempotency ? inTransaction(opts.idempotency.client, fn) : withTransaction(this.ctx.db, fn);
  }

  /**
   * A generated code never collides: a serial a client already took by choosing its own code is
   * skipped (the counter moves on), so one chosen code cannot jam the day's numbering.
   */
  private async insertWithGeneratedCode(tx: PoolClient, p: Principal, fields: CheckedDossierFields, day: string): Promise<string> {
    for (;;) {
      const serial = await dossiers.nextDossierSerial(tx, fields.unitCode, day);
      const code = formatDossierCode(fields.unitCode, fields.receivedAtDate, serial);
      if (await dossiers.insertDossier(tx, this.dossierRow(fields, code), p.actor)) return code;
    }
  }

  private dossierRow(fields: CheckedDossierFields, code: string): dossiers.DossierRecord {
    return {
      code,
      unitCode: fields.unitCode,
      procedureCode: fields.procedureCode,
      applicantId: fields.applicantId,
      channel: fields.channel,
      receivedAt: fields.receivedAtDate.toISOString(),
    };
  }

  async createDossier(p: Principal, fields: CheckedDossierFields, files: IncomingFile[], roles: DocumentRole[], opts: WriteOptions = {}): Promise<IntakeReply> {
    this.access.require(p, 'dossier.write');
    const day = localDay(fields.receivedAtDate);
    await this.checkUnit(p, fields.unitCode, day);
    const checked = await this.checkFiles(files, roles);
    const year = day.slice(0, 4);
    const status = files.length > 0 ? 202 : 201;
    const { code, accepted } = await this.storeThenCommit(fields.unitCode, year, checked, opts, async (tx) => {
      let code: string;
      if (fields.dossierCode) {
        code = fields.dossierCode;
        if (!(await dossiers.insertDossier(tx, this.dossierRow(fields, code), p.actor))) {
          throw new AppError('DOSSIER_EXISTS', bi(`dossierCode: ${code} đã được dùng`, `dossierCode: ${code} is already taken`), { field: 'dossierCode' });
        }
      } else {
        code = await this.insertWithGeneratedCode(tx, p, fields, day);
      }
      const accepted = await this.insertDocuments(tx, p, code, fields.unitCode, year, checked);
      await auditDossier(tx, p, 'dossier.create', code, fields.unitCode, {
        channel: fields.channel,
        procedureCode: fields.procedureCode,
        documents: accepted.map((d) => d.id),
      });
      await opts.idempotency?.record(tx, status, { dossierCode: code, documents: accepted });
      return { code, accepted };
    });
    return { dossierCode: code, documents: await this.finish(fields.channel, checked, accepted) };
  }

  async addDocuments(p: Principal, dossierCode: string, files: IncomingFile[], roles: DocumentRole[], opts: WriteOptions = {}): Promise<IntakeReply> {
    this.access.require(p, 'dossier.write');
    const dossier = await dossiers.getDossier(this.ctx.db, dossierCode);
    // Another unit's dossier answers like a missing one, so codes cannot be probed.
    if (!dossier || !this.access.canSeeUnit(p, dossier.unitCode)) throw new AppError('NOT_FOUND', bi(`không có hồ sơ ${dossierCode}`, `no dossier ${dossierCode}`));
    const checked = await this.checkFiles(files, roles);
    const year = localDay(new Date(dossier.receivedAt)).slice(0, 4);
    const accepted = await this.storeThenCommit(dossier.unitCode, year, checked, opts, async (tx) => {
      await dossiers.getDossier(tx, dossierCode, true); // serializes document numbering within the dossier
      const accepted = await this.insertDocuments(tx, p, dossierCode, dossier.unitCode, year, checked);
      await auditDossier(tx, p, 'dossier.add-documents', dossierCode, dossier.unitCode, { documents: accepted.map((d) => d.id) });
      await opts.idempotency?.record(tx, 202, { dossierCode, documents: accepted });
      return accepted;
    });
    return { dossierCode, documents: await this.finish(dossier.channel, checked, accepted) };
  }
}
