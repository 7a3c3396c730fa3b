// API keys and what each role may do. A key has a role and a unit scope: one unit, a unit and its
// descendants, or (admin only) all units.
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Pool } from '../storage/db.js';
import * as keys from '../storage/catalog/keys.js';
import { recordAudit } from '../storage/catalog/audit.js';
import type { CreateKeyBody, Role } from '../schemas/api.js';
import { AppError } from './errors.js';
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
  desk: new Set(['dossier.write', 'document.read', 'search', 'reuse']),
  postal: new Set(['dossier.write', 'document.read']),
  archive: new Set(['document.read', 'review', 'search', 'reuse']),
  leader: new Set(['document.read', 'search', 'progress']),
  admin: new Set(['dossier.write', 'document.read', 'review', 'search', 'reuse', 'progress', 'admin']),
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
    if (!PERMISSIONS[p.role].has(action)) throw new AppError('FORBIDDEN', `role ${p.role} cannot ${action}`);
  }

  canSeeUnit(p: Principal, unitCode: string): boolean {
    if (p.unitCode === null) return true;
    if (p.unitCode === unitCode) return true;
    return p.includeDescendants && this.units.isWithin(unitCode, p.unitCode);
  }

  requireUnit(p: Principal, unitCode: string): void {
    if (!this.canSeeUnit(p, unitCode)) throw new AppError('FORBIDDEN', `unit ${unitCode} is outside this key's scope`);
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
      throw new AppError('VALIDATION_FAILED', 'unitCode is required for every role but admin');
    }
    if (unitCode && !this.units.get(unitCode)) throw new AppError('UNIT_UNKNOWN', unitCode);
    const id = randomUUID();
    const key = KEY_PREFIX + randomBytes(32).toString('base64url');
    const includeDescendants = body.includeDescendants ?? false;
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
    const rec = await keys.revokeKey(this.db, id);
    if (!rec) throw new AppError('NOT_FOUND', `api key ${id}`);
    await recordAudit(this.db, { actor: by.actor, actorRole: by.role, action: 'api-key.revoke', targetType: 'api-key', targetId: id, unitCode: rec.unitCode });
  }
}
