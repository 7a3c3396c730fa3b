// The catalog of document types as data. The file schemas/document-types.json is the shipped
// catalog; operators add types or set result-type codes in the database, so every function here
// also accepts a catalog object and a list of overrides merged by slug.
import { createHash } from 'node:crypto';
import { asStringArray, isRecord, readSchemaJson } from './data.js';

export type DocKind = 'result' | 'form' | 'identity' | string;

export interface DocTypeDef {
  slug: string;
  name: string;
  kind: DocKind;
  issuerLevel: string;
  resultTypeCode: string | null;
  codeSource: string | null;
  fields: string[];
  /** Extra printed titles for the type (e.g. an older form's heading). Optional, operator data. */
  titles?: string[];
  /** How long a result can be reused (see "Validity of results"); absent: until revoked or superseded. */
  validity?: ValidityRule;
}

export interface ValidityRule {
  /** Valid this many months counted from the date in field `from`. */
  months?: number;
  from?: string;
  /** Valid until the date printed in this field. */
  untilField?: string;
  /** An event that ends or keeps validity, which the catalog cannot see (e.g. "works started"). */
  unlessEvent?: string;
  basis?: string;
}

function parseValidity(raw: unknown): ValidityRule | undefined {
  if (!isRecord(raw)) return undefined;
  const out: ValidityRule = {};
  if (typeof raw['months'] === 'number' && raw['months'] > 0) out.months = raw['months'];
  if (typeof raw['from'] === 'string') out.from = raw['from'];
  if (typeof raw['untilField'] === 'string') out.untilField = raw['untilField'];
  if (typeof raw['unlessEvent'] === 'string') out.unlessEvent = raw['unlessEvent'];
  if (typeof raw['basis'] === 'string') out.basis = raw['basis'];
  return out;
}

export interface Catalog {
  /** Content hash of the merged type list: changes whenever an operator edits the catalog. */
  version: string;
  types: DocTypeDef[];
  fieldMeanings: Record<string, string>;
}

const SLUG_RE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

function parseType(raw: unknown): DocTypeDef {
  if (!isRecord(raw)) throw new Error('catalog type must be an object');
  const slug = raw['slug'];
  const name = raw['name'];
  if (typeof slug !== 'string' || !SLUG_RE.test(slug)) throw new Error(`bad catalog slug: ${String(slug)}`);
  if (typeof name !== 'string' || name.trim() === '') throw new Error(`catalog type ${slug} has no name`);
  const str = (k: string, d: string): string => (typeof raw[k] === 'string' ? (raw[k] as string) : d);
  const strOrNull = (k: string): string | null => (typeof raw[k] === 'string' ? (raw[k] as string) : null);
  const def: DocTypeDef = {
    slug,
    name,
    kind: str('kind', 'result'),
    issuerLevel: str('issuerLevel', 'any'),
    resultTypeCode: strOrNull('resultTypeCode'),
    codeSource: strOrNull('codeSource'),
    fields: asStringArray(raw['fields']),
  };
  const titles = asStringArray(raw['titles']);
  if (titles.length > 0) def.titles = titles;
  const validity = parseValidity(raw['validity']);
  if (validity) def.validity = validity;
  return def;
}

function mergeType(base: DocTypeDef | undefined, patch: Partial<DocTypeDef>): DocTypeDef {
  if (base === undefined) return parseType(patch);
  const merged: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(patch)) if (v !== undefined) merged[k] = v;
  return parseType(merged);
}

/** Stable hash of the types (keys sorted), so the same catalog always gets the same version. */
export function catalogVersion(types: DocTypeDef[]): string {
  const canonical = JSON.stringify(types, (_k, v: unknown) =>
    isRecord(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]])) : v,
  );
  return 'cat-' + createHash('sha256').update(canonical).digest('hex').slice(0, 12);
}

/**
 * Builds a catalog from a raw object shaped like document-types.json plus operator overrides:
 * an override with a known slug patches that type (e.g. sets resultTypeCode), an unknown slug
 * adds a type (then name and fields are required).
 */
export function catalogFromObject(raw: unknown, extra: Partial<DocTypeDef>[] = []): Catalog {
  if (!isRecord(raw) || !Array.isArray(raw['types'])) throw new Error('catalog must have a types array');
  const bySlug = new Map<string, DocTypeDef>();
  for (const t of raw['types']) {
    const def = parseType(t);
    bySlug.set(def.slug, def);
  }
  for (const patch of extra) {
    if (typeof patch.slug !== 'string') throw new Error('catalog override needs a slug');
    bySlug.set(patch.slug, mergeType(bySlug.get(patch.slug), patch));
  }
  const types = [...bySlug.values()];
  const fm = isRecord(raw['fieldMeanings']) ? raw['fieldMeanings'] : {};
  const fieldMeanings: Record<string, string> = {};
  for (const [k, v] of Object.entries(fm)) if (typeof v === 'string') fieldMeanings[k] = v;
  return { version: catalogVersion(types), types, fieldMeanings };
}

let shipped: unknown;

/** The shipped catalog (schemas/document-types.json) with optional operator overrides. */
export function loadCatalog(extra: Partial<DocTypeDef>[] = []): Catalog {
  shipped ??= readSchemaJson('document-types.json');
  return catalogFromObject(shipped, extra);
}

export function findType(catalog: Catalog, slug: string): DocTypeDef | undefined {
  return catalog.types.find((t) => t.slug === slug);
}

/** Printed titles a type may carry: its name, each '/'-separated variant of it, and any aliases. */
export function titlesOf(def: DocTypeDef, extraTitles: readonly string[] = []): string[] {
  const out = new Set<string>([def.name]);
  for (const part of def.name.split('/')) if (part.trim()) out.add(part.trim());
  for (const t of def.titles ?? []) out.add(t);
  for (const t of extraTitles) out.add(t);
  return [...out];
}
