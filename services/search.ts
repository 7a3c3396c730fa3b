// Search of the archive (GET /v1/search): inside the key's units only, every search audited with its
// query. Person ids in the answer are masked except the one searched for.
import * as index from '../storage/catalog/search.js';
import { recordAudit } from '../storage/catalog/audit.js';
import type { SearchQuery, SearchReply } from '../schemas/api.js';
import type { AppContext } from './context.js';
import type { AccessControl, Principal } from './access.js';
import { AppError, bi } from './errors.js';
import { canonicalId, maskIdentifier } from './identifiers.js';
import { validityOf, vietnamDay } from './validity.js';
import type { Catalog } from './classify/index.js';

const ID_RUN = /(?<!\d)(\d{12}|\d{10}(?:-\d{3})?|\d{9})(?!\d)/g;

/** Ids printed in a snippet are masked like the item's personIds, except the one searched for. */
export function maskSnippet(text: string, keep: string | null): string {
  return text.replace(ID_RUN, (m) => (m === keep ? m : maskIdentifier(m)));
}

function encodeCursor(c: index.SearchCursor): string {
  return Buffer.from(JSON.stringify([c.tier, c.sortAt, c.id])).toString('base64url');
}

function decodeCursor(raw: string): index.SearchCursor {
  try {
    const v: unknown = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === 3 && Number.isInteger(v[0]) && v[0] >= 0 && v[0] <= 3 && typeof v[1] === 'string' && !Number.isNaN(Date.parse(v[1])) && typeof v[2] === 'string' && /^[0-9a-f-]{36}$/i.test(v[2])) {
      return { tier: v[0], sortAt: v[1], id: v[2] };
    }
  } catch {
    // falls through to the refusal
  }
  throw new AppError('VALIDATION_FAILED', bi('cursor: dùng đúng nextCursor của trang trước', 'cursor: pass the nextCursor of the previous page unchanged'), { field: 'cursor' });
}

/** The units a search may see: the key's scope, narrowed to a unit and its descendants when asked. */
export function searchUnits(ctx: AppContext, access: AccessControl, p: Principal, unitCode: string | undefined): string[] | null {
  const scope = access.scope(p);
  if (!unitCode) return scope;
  if (!ctx.units.get(unitCode)) {
    throw new AppError('UNIT_UNKNOWN', bi(`unitCode: ${unitCode} không có trong danh mục đơn vị`, `unitCode: ${unitCode} is not in the unit registry`), { field: 'unitCode' });
  }
  access.requireUnit(p, unitCode);
  const subtree = ctx.units.subtree(unitCode);
  return scope === null ? subtree : subtree.filter((u) => scope.includes(u));
}

export function titleOf(catalog: Catalog, slug: string | null): string | null {
  return slug ? (catalog.types.find((t) => t.slug === slug)?.name ?? null) : null;
}

export class Search {
  constructor(
    private readonly ctx: AppContext,
    private readonly access: AccessControl,
  ) {}

  async search(p: Principal, q: SearchQuery, from: string | null): Promise<SearchReply> {
    this.access.require(p, 'search');
    if (q.issuedFrom && q.issuedTo && q.issuedFrom > q.issuedTo) {
      throw new AppError('VALIDATION_FAILED', bi('issuedFrom phải trước hoặc bằng issuedTo', 'issuedFrom must be on or before issuedTo'), { field: 'issuedFrom' });
    }
    const personId = q.personId ? canonicalId(q.personId) : undefined;
    const text = (q.q ?? '').normalize('NFC').replace(/\s+/g, ' ').trim();
    const hasWords = /[\p{L}\p{N}]/u.test(text);
    const filters: index.SearchFilters = {
      units: searchUnits(this.ctx, this.access, p, q.unitCode),
      personId,
      docType: q.docType,
      codePrefix: q.code?.trim(),
      issuedFrom: q.issuedFrom,
      issuedTo: q.issuedTo,
      status: q.status,
    };
    if (hasWords) {
      // A run of digits alone is an id (or a number) typed from its beginning.
      if (/^\d{3,13}$/.test(text)) filters.digitsPrefix = text;
      else filters.text = text;
    }
    const limit = q.limit ?? 20;
    const after = q.cursor ? decodeCursor(q.cursor) : null;
    let count = await index.countDocuments(this.ctx.db, filters);
    let nearMatches = false;
    // No word matched: names close to the query, for the letters OCR got wrong.
    if (count.total === 0 && filters.text && /\p{L}{2}/u.test(text)) {
      const fuzzy = { ...filters, text: undefined, fuzzyNames: text };
      const near = await index.countDocuments(this.ctx.db, fuzzy);
      if (near.total > 0) {
        Object.assign(filters, fuzzy);
        count = near;
        nearMatches = true;
      }
    }
    const total = count.total;
    const rows = total === 0 ? [] : await index.searchDocuments(this.ctx.db, filters, after, limit + 1);
    const more = rows.length > limit;
    const page = rows.slice(0, limit);
    const snippets = hasWords ? await index.snippets(this.ctx.db, page.map((r) => r.id), filters) : new Map<string, string>();
    const catalog = await this.ctx.knowledge.catalog();
    const today = vietnamDay();
    const keep = personId ?? filters.digitsPrefix ?? null;
    const items = page.map((r) => {
      const v = validityOf(r, catalog.types.find((t) => t.slug === r.docType), today);
      const snippet = snippets.get(r.id);
      return {
        id: r.id,
        dossierCode: r.dossierCode,
        code: r.code,
        docType: r.docType,
        title: titleOf(catalog, r.docType),
        unitCode: r.unitCode,
        issueDate: r.issueDate,
        personIds: r.personIds.map((id) => (id === keep ? id : maskIdentifier(id))),
        snippet: snippet === undefined ? null : maskSnippet(snippet, keep),
        status: r.status,
        validUntil: v.validUntil,
        reusable: v.reusable,
        notReusableReason: v.notReusableReason,
      };
    });
    const last = page.at(-1);
    await recordAudit(this.ctx.db, {
      actor: p.actor,
      actorRole: p.role,
      action: 'search',
      targetType: 'search',
      unitCode: q.unitCode ?? p.unitCode,
      personId: personId ?? (filters.digitsPrefix && /^\d{12}$/.test(filters.digitsPrefix) ? filters.digitsPrefix : null),
      detail: {
        q: text ? maskSnippet(text, null) : null,
        personId: personId ? maskIdentifier(personId) : null,
        docType: q.docType ?? null,
        code: q.code ?? null,
        unitCode: q.unitCode ?? null,
        issuedFrom: q.issuedFrom ?? null,
        issuedTo: q.issuedTo ?? null,
        status: q.status ?? null,
        page: after ? 'next' : 'first',
        total,
        from,
      },
    });
    return {
      total,
      items,
      nextCursor: more && last ? encodeCursor({ tier: last.tier, sortAt: last.sortAt, id: last.id }) : null,
      totalExact: count.exact,
      nearMatches,
    };
  }
}
