// Dossiers and their per-unit, per-day serial counters.
import type { Pool, PoolClient } from '../db.js';
import type { Channel } from '../../schemas/api.js';

type Db = Pool | PoolClient;

export interface DossierRecord {
  code: string;
  unitCode: string;
  procedureCode: string;
  applicantId: string;
  channel: Channel;
  receivedAt: string;
}

interface DossierRow {
  code: string;
  unit_code: string;
  procedure_code: string;
  applicant_id: string;
  channel: Channel;
  received_at: Date;
}

const toRecord = (r: DossierRow): DossierRecord => ({
  code: r.code,
  unitCode: r.unit_code,
  procedureCode: r.procedure_code,
  applicantId: r.applicant_id,
  channel: r.channel,
  receivedAt: r.received_at.toISOString(),
});

/** Atomically takes the next serial for a unit and day; a serial is never handed out twice. */
export async function nextDossierSerial(db: Db, unitCode: string, day: string): Promise<number> {
  const { rows } = await db.query<{ last: number }>(
    `INSERT INTO dossier_counters (unit_code, day, last) VALUES ($1, $2, 1)
     ON CONFLICT (unit_code, day) DO UPDATE SET last = dossier_counters.last + 1 RETURNING last`,
    [unitCode, day],
  );
  return rows[0]!.last;
}

/** Inserts a dossier; returns false when the code is already taken. */
export async function insertDossier(db: Db, d: DossierRecord, createdBy: string): Promise<boolean> {
  const res = await db.query(
    `INSERT INTO dossiers (code, unit_code, procedure_code, applicant_id, channel, received_at, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (code) DO NOTHING`,
    [d.code, d.unitCode, d.procedureCode, d.applicantId, d.channel, d.receivedAt, createdBy],
  );
  return res.rowCount === 1;
}

export async function getDossier(db: Db, code: string, forUpdate = false): Promise<DossierRecord | null> {
  const { rows } = await db.query<DossierRow>(
    `SELECT code, unit_code, procedure_code, applicant_id, channel, received_at FROM dossiers WHERE code = $1
     ${forUpdate ? 'FOR UPDATE' : ''}`,
    [code],
  );
  return rows[0] ? toRecord(rows[0]) : null;
}
