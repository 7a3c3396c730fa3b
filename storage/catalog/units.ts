// Units: the agency registry (codes, levels, parents, validity, successors).
import type { Pool, PoolClient } from '../db.js';
import type { Unit } from '../../schemas/api.js';

type Db = Pool | PoolClient;

interface UnitRow {
  code: string;
  name: string;
  level: Unit['level'];
  parent_code: string | null;
  rural: boolean;
  valid_from: string | null;
  valid_to: string | null;
  successor_code: string | null;
}

const COLUMNS = `code, name, level, parent_code, rural, to_char(valid_from, 'YYYY-MM-DD') AS valid_from,
  to_char(valid_to, 'YYYY-MM-DD') AS valid_to, successor_code`;

function toUnit(r: UnitRow): Unit {
  return {
    code: r.code,
    name: r.name,
    level: r.level,
    parentCode: r.parent_code,
    rural: r.rural,
    validFrom: r.valid_from,
    validTo: r.valid_to,
    successorCode: r.successor_code,
  };
}

export async function listUnits(db: Db): Promise<Unit[]> {
  const { rows } = await db.query<UnitRow>(`SELECT ${COLUMNS} FROM units ORDER BY code`);
  return rows.map(toUnit);
}

export async function getUnit(db: Db, code: string): Promise<Unit | null> {
  const { rows } = await db.query<UnitRow>(`SELECT ${COLUMNS} FROM units WHERE code = $1`, [code]);
  return rows[0] ? toUnit(rows[0]) : null;
}

export async function insertUnit(db: Db, u: Unit): Promise<Unit> {
  const { rows } = await db.query<UnitRow>(
    `INSERT INTO units (code, name, level, parent_code, rural, valid_from, valid_to, successor_code)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${COLUMNS}`,
    [u.code, u.name, u.level, u.parentCode, u.rural, u.validFrom, u.validTo, u.successorCode],
  );
  return toUnit(rows[0]!);
}

/** Registry load: inserts what is missing, refreshes names and validity of what exists. */
export async function upsertUnit(db: Db, u: Unit): Promise<void> {
  await db.query(
    `INSERT INTO units (code, name, level, parent_code, rural, valid_from, valid_to, successor_code)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, level = EXCLUDED.level,
       parent_code = EXCLUDED.parent_code, rural = EXCLUDED.rural,
       valid_from = COALESCE(EXCLUDED.valid_from, units.valid_from),
       valid_to = COALESCE(EXCLUDED.valid_to, units.valid_to),
       successor_code = COALESCE(EXCLUDED.successor_code, units.successor_code), updated_at = now()`,
    [u.code, u.name, u.level, u.parentCode, u.rural, u.validFrom, u.validTo, u.successorCode],
  );
}

export async function setSuccessor(db: Db, code: string, successorCode: string): Promise<void> {
  await db.query('UPDATE units SET successor_code = $2, updated_at = now() WHERE code = $1', [code, successorCode]);
}

export async function closeUnit(
  db: Db,
  code: string,
  validTo: string,
  successorCode: string | null,
): Promise<Unit | null> {
  const { rows } = await db.query<UnitRow>(
    `UPDATE units SET valid_to = $2, successor_code = COALESCE($3, successor_code), updated_at = now()
     WHERE code = $1 RETURNING ${COLUMNS}`,
    [code, validTo, successorCode],
  );
  return rows[0] ? toUnit(rows[0]) : null;
}
