// API keys and what each role may do. A key has a role and a unit scope: one unit, a unit and its
// descendants, or (admin only) all units.
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Pool } from '../storage/db.js';
import * as keys from '../storage/catalog/keys.js';
import { recordAudit } from '../storage/catalog/audit.js';
import type { CreateKeyBody, Role } from '../schemas/api.js';
import { AppError, bi } from './errors.js';
import type { UnitDirectory } from './units.js';

export interface Principal {
  actor: string;
  keyId: string | null;
  role: Role;
  unitCode: string | null;
  includeDescendants: boolean;
}

export type Action =
  | 'dossier.write'
  | 'document.read'
  | 'review'
  | 'search'
  | 'reuse'
  | 'progress'
  | 'admin';

const PERMISSIONS: Record<Role, ReadonlySet<Action>> = {
  desk: new Set(['dossier.write', 'document.read', 'search', 'reuse', 'progress']),
  postal: new Set(['dossier.write', 'document.read']),
  archive: new Set(['document.read', 'review', 'search', 'reuse', 'progress']),
  leader: new Set(['document.read', 'search', 'progress']),
  admin: new Set(['dossier.write', 'document.read', 'review', 'search', 'reuse', 'progress', 'admin']),
};

/** What a role may do, for clients that show only what a key allows (GET /v1/me). */
export function allowedActions(role: Role): Action[] {
  return [...PERMISSIONS[role]];
}

const ACTION_VI: Record<Action, string> = {
  'dossier.write': 'tiếp nhận hồ sơ',
  'document.read': 'xem tài liệu',
  review: 'kiểm tra, xác nhận tài liệu',
  search: 'tra cứu',
  reuse: 'tái sử dụng tài liệu',
  progress: 'xem báo cáo tiến độ',
  admin: 'quản trị',
};
const ACTION_EN: Record<Action, string> = {
  'dossier.write': 'receive dossiers',
  'document.read': 'read documents',
  review: 'review documents',
  search: 'search',
  reuse: 'reuse documents',
  progress: 'read progress reports',
  admin: 'administer',
};

const KEY_PREFIX = 'mck_';
const hashKey = (secret: string) => createHash('sha256').update(secret, 'utf8').digest();

export class AccessControl {
  private readonly adminHash: Buffer | null;

  constructor(
    private readonly db: Pool,
    private readonly units: UnitDirectory,
    adminKey: string | undefined,
  ) {
    this.adminHash = adminKey ? hashKey(adminKey) : null;
  }

  async authenticate(authorization: string | undefined): Promise<Principal> {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!m) throw new AppError('UNAUTHORIZED');
    const hash = hashKey(m[1] ?? '');
    if (this.adminHash && timingSafeEqual(hash, this.adminHash)) {
      return { actor: 'admin:env', keyId: null, role: 'admin', unitCode: null, includeDescendants: true };
    }
    const rec = await keys.findKeyByHash(this.db, hash);
    if (!rec || rec.revokedAt) throw new AppError('UNAUTHORIZED');
    return {
      actor: `key:${rec.id}`,
      keyId: rec.id,
      role: rec.role,
      unitCode: rec.unitCode,
      includeDescendants: rec.includeDescendants,
    };
  }

  require(p: Principal, action: Action): void {
    if (!PERMISSIONS[p.role].has(action)) {
      throw new AppError('FORBIDDEN', bi(`vai trò ${p.role} không được ${ACTION_VI[action]}`, `the ${p.role} role cannot ${ACTION_EN[action]}`));
    }
  }

  /** Admin actions that reach beyond any one unit (the catalog, unscoped keys) need an unscoped admin. */
  requireGlobalAdmin(p: Principal): void {
    this.require(p, 'admin');
    if (p.unitCode !== null) {
      throw new AppError('FORBIDDEN', bi('chỉ khóa quản trị toàn hệ thống được làm việc này', 'only an admin key for all units may do this'));
    }
  }

  /** Whether every unit `q` covers is also covered by `p` (a key may only hand out what it holds). */
  covers(p: Principal, q: { unitCode: string | null; includeDescendants: boolean }): boolean {
    if (p.unitCode === null) return true;
    if (q.unitCode === null) return false;
    if (!this.canSeeUnit(p, q.unitCode)) return false;
    return !q.includeDescendants || p.includeDescendants || (this.units.subtree(q.unitCode).length === 1);
  }

  canSeeUnit(p: Principal, unitCode: string): boolean {
    if (p.unitCode === null) return true;
    if (p.unitCode === unitCode) return true;
    return p.includeDescendants && this.units.isWithin(unitCode, p.unitCode);
  }

  requireUnit(p: Principal, unitCode: string): void {
    if (!this.canSeeUnit(p, unitCode)) {
      throw new AppError('FORBIDDEN', bi(`đơn vị ${unitCode} nằm ngoài phạm vi của khóa này`, `unit ${unitCode} is outside this key's units`), { field: 'unitCode' });
    }
  }

  /** Units the key may see, or null for all. */
  scope(p: Principal): string[] | null {
    if (p.unitCode === null) return null;
    return p.includeDescendants ? this.units.subtree(p.unitCode) : [p.unitCode];
  }

  async createKey(by: Principal, body: CreateKeyBody): Promise<{ id: string; key: string; role: Role; unitCode: string | null; includeDescendants: boolean }> {
    this.require(by, 'admin');
    const unitCode = body.unitCode ?? null;
    if (unitCode === null && body.role !== 'admin') {
      throw new AppError('VALIDATION_FAILED', bi('unitCode bị thiếu: mọi vai trò trừ admin cần một đơn vị', 'unitCode is missing: every role but admin needs a unit'), { field: 'unitCode' });
    }
    if (unitCode && !(await this.units.lookup(unitCode))) {
      throw new AppError('UNIT_UNKNOWN', bi(`unitCode: ${unitCode} không có trong danh mục đơn vị`, `unitCode: ${unitCode} is not in the unit registry`), { field: 'unitCode' });
    }
    const includeDescendants = body.includeDescendants ?? false;
    // A unit-scoped admin mints keys only within its own units, never an unscoped one.
    if (!this.covers(by, { unitCode, includeDescendants })) {
      throw new AppError(
        'FORBIDDEN',
        bi('khóa mới không được rộng hơn phạm vi đơn vị của khóa quản trị này', "the new key may not reach beyond this admin key's units"),
        { field: 'unitCode' },
      );
    }
    const id = randomUUID();
    const key = KEY_PREFIX + randomBytes(32).toString('base64url');
    await keys.insertKey(this.db, {
      id,
      hash: hashKey(key),
      prefix: key.slice(0, 10),
      role: body.role,
      unitCode,
      includeDescendants,
      label: body.label ?? null,
      createdBy: by.actor,
    });
    await recordAudit(this.db, {
      actor: by.actor,
      actorRole: by.role,
      action: 'api-key.create',
      targetType: 'api-key',
      targetId: id,
      unitCode,
      detail: { role: body.role, includeDescendants, label: body.label ?? null },
    });
    return { id, key, role: body.role, unitCode, includeDescendants };
  }

  async revokeKey(by: Principal, id: string): Promise<void> {
    this.require(by, 'admin');
    const found = await keys.getKey(this.db, id);
    // A key outside this admin's units answers like a missing one.
    if (!found || !this.covers(by, found)) throw new AppError('NOT_FOUND', bi(`không có khóa ${id}`, `no API key ${id}`));
    const rec = await keys.revokeKey(this.db, id);
    if (!rec) throw new AppError('NOT_FOUND', bi(`không có khóa ${id}`, `no API key ${id}`));
    await recordAudit(this.db, { actor: by.actor, actorRole: by.role, action: 'api-key.revoke', targetType: 'api-key', targetId: id, unitCode: rec.unitCode });
  }
}
