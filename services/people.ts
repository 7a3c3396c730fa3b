// A person's papers (GET /v1/people/{personId}/documents): what a desk opens before asking a citizen
// for paper. The key's own units show everything; with the person's exact id, a desk key also sees the
// person's reusable results held by other units of the same province, with reuse metadata only.
import * as index from '../storage/catalog/search.js';
import { recordAudit } from '../storage/catalog/audit.js';
import type { PersonDocumentsReply, Role } from '../schemas/api.js';
import type { AppContext } from './context.js';
import type { AccessControl, Principal } from './access.js';
import { AppError, bi } from './errors.js';
import { canonicalId, checkApplicantId, maskIdentifier } from './identifiers.js';
import { validityOf, vietnamDay } from './validity.js';
import { titleOf } from './search.js';

/** Roles that, with a person's exact id, see and reuse that person's results held by other units. */
export const CROSS_UNIT_ROLES: ReadonlySet<Role> = new Set(['desk']);

/** The province part of an agency code (its level-1 code, e.g. H54). */
export const provinceOf = (unitCode: string): string => unitCode.slice(unitCode.lastIndexOf('.') + 1);

/** Whether a key may reach another unit's result of this person: a desk of the same province. */
export function crossUnitAllowed(p: Principal, unitCode: string): boolean {
  return CROSS_UNIT_ROLES.has(p.role) && p.unitCode !== null && provinceOf(p.unitCode) === provinceOf(unitCode);
}

const MAX_ITEMS = 500;

/** A person id from a path or query, checked like an applicant id and stored spelling. */
export function personIdParam(raw: string, field = 'personId'): string {
  const check = checkApplicantId(raw);
  if (!check.ok) {
    const problem = check.problem ?? { vi: 'không hợp lệ', en: 'not valid' };
    throw new AppError('INVALID_APPLICANT_ID', bi(`${field}: ${problem.vi}`, `${field}: ${problem.en}`), { field });
  }
  return canonicalId(raw);
}

export class People {
  constructor(
    private readonly ctx: AppContext,
    private readonly access: AccessControl,
  ) {}

  async documents(p: Principal, rawId: string, from: string | null): Promise<PersonDocumentsReply> {
    this.access.require(p, 'search');
    const personId = personIdParam(rawId);
    const rows = await index.personDocuments(this.ctx.db, personId, MAX_ITEMS);
    const catalog = await this.ctx.knowledge.catalog();
    const today = vietnamDay();
    const items: PersonDocumentsReply['items'] = [];
    let outside = 0;
    for (const r of rows) {
      const v = validityOf(r, catalog.types.find((t) => t.slug === r.docType), today);
      const base = {
        id: r.id,
        code: r.code,
        docType: r.docType,
        title: titleOf(catalog, r.docType),
        unitCode: r.unitCode,
        unitName: this.ctx.units.get(r.unitCode)?.name ?? null,
        issueDate: r.issueDate,
        validUntil: v.validUntil,
        reusable: v.reusable,
        notReusableReason: v.notReusableReason,
      };
      if (this.access.canSeeUnit(p, r.unitCode)) {
        items.push({ ...base, inScope: true, status: r.status, dossierCode: r.dossierCode });
      } else if (v.reusable && crossUnitAllowed(p, r.unitCode)) {
        // Reuse metadata only: no text, fields, dossier or PDF of another unit.
        items.push({ ...base, inScope: false });
        outside++;
      }
    }
    await recordAudit(this.ctx.db, {
      actor: p.actor,
      actorRole: p.role,
      action: 'person.documents',
      targetType: 'person',
      targetId: maskIdentifier(personId),
      unitCode: p.unitCode,
      personId,
      detail: { listed: items.length, otherUnits: outside, from },
    });
    return { items };
  }
}
