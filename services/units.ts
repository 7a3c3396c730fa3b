// The unit registry: loaded from a JSON file shaped like ../shared/domain/units.json, kept in the catalog,
// and mirrored in memory for the scope checks every request makes.
import { readFile } from 'node:fs/promises';
import { Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { Pool } from '../storage/db.js';
import { withTransaction } from '../storage/db.js';
import * as repo from '../storage/catalog/units.js';
import { recordAudit } from '../storage/catalog/audit.js';
import { UNIT_CODE_PATTERN, UnitLevel, type CloseUnitBody, type CreateUnitBody, type Unit } from '../schemas/api.js';
import { AppError, bi } from './errors.js';
import type { AccessControl, Principal } from './access.js';

export const DEFAULT_UNITS_FILE = new URL('../schemas/units.json', import.meta.url);

const RegistryFile = Type.Object({
  units: Type.Array(
    Type.Object({
      code: Type.String({ pattern: UNIT_CODE_PATTERN }),
      name: Type.String({ minLength: 1 }),
      level: UnitLevel,
      parent: Type.Union([Type.String({ pattern: UNIT_CODE_PATTERN }), Type.Null()]),
      rural: Type.Boolean(),
      validFrom: Type.Optional(Type.String()),
      validTo: Type.Optional(Type.String()),
      successor: Type.Optional(Type.Union([Type.String({ pattern: UNIT_CODE_PATTERN }), Type.Null()])),
    }),
  ),
});

const unitCodeRe = new RegExp(UNIT_CODE_PATTERN);
export const isUnitCode = (code: string) => unitCodeRe.test(code);

/** In-memory view of the registry: parents, subtrees and validity. */
export class UnitDirectory {
  private byCode = new Map<string, Unit>();
  private children = new Map<string, string[]>();
  private refreshedAt = 0;
  /** Set at start: tells other processes (and the dev PKI) that the registry changed. */
  announce: () => Promise<void> = async () => undefined;

  constructor(private readonly db: Pool) {}

  /** This process changed the registry: reload it here and tell the others. */
  async changed(): Promise<void> {
    await this.refresh();
    await this.announce();
  }

  /** Reloads the registry (on a change notice from another process, or on its time-to-live). */
  async refresh(): Promise<void> {
    this.refreshedAt = Date.now();
    const units = await repo.listUnits(this.db);
    this.byCode = new Map(units.map((u) => [u.code, u]));
    this.children = new Map();
    for (const u of units) {
      if (!u.parentCode) continue;
      const list = this.children.get(u.parentCode) ?? [];
      list.push(u.code);
      this.children.set(u.parentCode, list);
    }
  }

  get(code: string): Unit | undefined {
    return this.byCode.get(code);
  }

  /**
   * Like get(), but a code this process has not seen makes it reload the registry first (at most once
   * a second): a unit another process just created is found even if its change notice was missed.
   */
  async lookup(code: string): Promise<Unit | undefined> {
    if (!this.byCode.has(code) && Date.now() - this.refreshedAt > 1000) await this.refresh();
    return this.byCode.get(code);
  }

  all(): Unit[] {
    return [...this.byCode.values()];
  }

  /** The unit and everything below it. */
  subtree(code: string): string[] {
    const out: string[] = [];
    const stack = [code];
    while (stack.length > 0) {
      const c = stack.pop()!;
      out.push(c);
      stack.push(...(this.children.get(c) ?? []));
    }
    return out;
  }

  isWithin(code: string, ancestor: string): boolean {
    for (let u = this.byCode.get(code); u; u = u.parentCode ? this.byCode.get(u.parentCode) : undefined) {
      if (u.code === ancestor) return true;
    }
    return false;
  }

  /** Whether the unit was operating on the given day (YYYY-MM-DD). */
  isOpenOn(code: string, day: string): boolean {
    const u = this.byCode.get(code);
    if (!u) return false;
    if (u.validFrom && day < u.validFrom) return false;
    if (u.validTo && day > u.validTo) return false;
    return true;
  }
}

export async function loadRegistry(db: Pool, file: string | URL = DEFAULT_UNITS_FILE): Promise<number> {
  const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
  if (!Value.Check(RegistryFile, parsed)) {
    const first = [...Value.Errors(RegistryFile, parsed)][0];
    throw new Error(`unit registry ${String(file)} is invalid at ${first?.path}: ${first?.message}`);
  }
  // Parents first, successors after every unit exists.
  const pending = [...parsed.units];
  const done = new Set((await repo.listUnits(db)).map((u) => u.code));
  await withTransaction(db, async (tx) => {
    while (pending.length > 0) {
      const i = pending.findIndex((u) => !u.parent || done.has(u.parent) || !pending.some((p) => p.code === u.parent));
      const [u] = pending.splice(i < 0 ? 0 : i, 1);
      if (!u) break;
      await repo.upsertUnit(tx, {
        code: u.code,
        name: u.name,
        level: u.level,
        parentCode: u.parent,
        rural: u.rural,
        validFrom: u.validFrom ?? null,
        validTo: u.validTo ?? null,
        successorCode: null,
      });
      done.add(u.code);
    }
    for (const u of parsed.units) {
      if (u.successor) await repo.setSuccessor(tx, u.code, u.successor);
    }
  });
  return parsed.units.length;
}

export async function createUnit(db: Pool, dir: UnitDirectory, access: AccessControl, by: Principal, body: CreateUnitBody): Promise<Unit> {
  access.require(by, 'admin');
  // A unit-scoped admin adds units only under its own units.
  if (by.unitCode !== null && !(body.parentCode && access.canSeeUnit(by, body.parentCode) && by.includeDescendants)) {
    throw new AppError('FORBIDDEN', bi('parentCode phải là một đơn vị trong phạm vi của khóa quản trị này', "parentCode must be a unit within this admin key's units"), { field: 'parentCode' });
  }
  if (dir.get(body.code)) throw new AppError('UNIT_EXISTS', bi(`code: ${body.code} đã có`, `code: ${body.code} already exists`), { field: 'code' });
  for (const [field, ref] of [['parentCode', body.parentCode], ['successorCode', body.successorCode]] as const) {
    if (ref && !dir.get(ref)) throw new AppError('UNIT_UNKNOWN', bi(`${field}: ${ref} không có trong danh mục`, `${field}: ${ref} is not in the registry`), { field });
  }
  const unit: Unit = {
    code: body.code,
    name: body.name,
    level: body.level,
    parentCode: body.parentCode ?? null,
    rural: body.rural ?? false,
    validFrom: body.validFrom ?? null,
    validTo: body.validTo ?? null,
    successorCode: body.successorCode ?? null,
  };
  const created = await withTransaction(db, async (tx) => {
    const u = await repo.insertUnit(tx, unit);
    await recordAudit(tx, { actor: by.actor, actorRole: by.role, action: 'unit.create', targetType: 'unit', targetId: u.code, unitCode: u.code, detail: u });
    return u;
  });
  await dir.changed();
  return created;
}

export async function closeUnit(
  db: Pool,
  dir: UnitDirectory,
  access: AccessControl,
  by: Principal,
  code: string,
  body: CloseUnitBody,
): Promise<Unit> {
  access.require(by, 'admin');
  if (!dir.get(code) || !access.canSeeUnit(by, code)) throw new AppError('NOT_FOUND', bi(`không có đơn vị ${code}`, `no unit ${code}`));
  if (body.successorCode && !dir.get(body.successorCode)) {
    throw new AppError('UNIT_UNKNOWN', bi(`successorCode: ${body.successorCode} không có trong danh mục`, `successorCode: ${body.successorCode} is not in the registry`), { field: 'successorCode' });
  }
  const closed = await withTransaction(db, async (tx) => {
    const u = await repo.closeUnit(tx, code, body.validTo, body.successorCode ?? null);
    await recordAudit(tx, { actor: by.actor, actorRole: by.role, action: 'unit.close', targetType: 'unit', targetId: code, unitCode: code, detail: body });
    return u;
  });
  await dir.changed();
  if (!closed) throw new AppError('NOT_FOUND', bi(`không có đơn vị ${code}`, `no unit ${code}`));
  return closed;
}
