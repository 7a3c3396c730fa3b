// Code schemes loaded from schemas/code-schemes.json. Rules change (Circular 01/2018 → 03/2025 …),
// so a scheme is data with an effective date, and the code of a stored paper names its scheme.
import { PARTS as CODE_PARTS, SCHEME_DATA } from '../../schemas/codes.js';

export type CodeKind = 'dossier' | 'result' | 'digitized';
export type CounterPart = 'unit' | 'date' | 'dossier' | 'owner' | 'type' | 'number';

export interface CodeScheme {
  id: string;
  kind: CodeKind;
  source: string;
  /** yyyy-mm-dd, inclusive, in the scheme's time zone (Vietnam when not given). */
  effectiveFrom: string;
  effectiveFromConfirmed: boolean;
  template: string;
  serialDigits?: number;
  nnDigits?: number;
  timeZone?: string;
  pattern: RegExp;
  counterScope: CounterPart[];
}

const KINDS: readonly CodeKind[] = ['dossier', 'result', 'digitized'];
const PARTS: readonly CounterPart[] = ['unit', 'date', 'dossier', 'owner', 'type', 'number'];

function rec(v: unknown): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('code scheme must be an object');
  return v as Record<string, unknown>;
}

function str(o: Record<string, unknown>, k: string): string {
  const v = o[k];
  if (typeof v !== 'string' || v === '') throw new Error(`code scheme: ${k} must be a non-empty string`);
  return v;
}

interface DossierShape {
  template: string;
  serialDigits?: number;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The pattern a template's codes match, from the parts' data: {unit} a unit code, {date} YYMMDD,
 * {serial} and {nn} their digits, {dossier} a dossier code, {n} a result index, {owner} an owner id or
 * nothing, {type} a result-type or procedure code, {number} a sanitized segment.
 */
export function templatePattern(template: string, o: { serialDigits?: number; nnDigits?: number }, dossier?: DossierShape): RegExp {
  const piece = (name: string): string => {
    switch (name) {
      case 'unit':
        return `(?:${CODE_PARTS.unit.pattern})`;
      case 'date':
        return `(?:${CODE_PARTS.date.pattern})`;
      case 'serial':
        return `\\d{${o.serialDigits ?? 4}}`;
      case 'nn':
        return `\\d{${o.nnDigits ?? 2}}`;
      case 'n':
        return '[1-9]\\d*';
      case 'dossier':
        if (!dossier) throw new Error('code scheme: {dossier} needs a dossier scheme');
        return templatePattern(dossier.template, dossier).source.slice(1, -1);
      case 'owner':
        return `(?:${CODE_PARTS.owner.pattern})?`;
      case 'type':
        return `(?:${CODE_PARTS.resultType.pattern}|${CODE_PARTS.procedure.pattern})`;
      case 'number':
        return `(?:${CODE_PARTS.segment.pattern})`;
      default:
        throw new Error(`code scheme: unknown placeholder {${name}}`);
    }
  };
  let out = '';
  let last = 0;
  for (const m of template.matchAll(/\{(\w+)\}/g)) {
    out += escape(template.slice(last, m.index)) + piece(m[1]!);
    last = m.index + m[0].length;
  }
  return new RegExp(`^${out}${escape(template.slice(last))}$`, 'u');
}

function parseScheme(raw: unknown, dossier?: DossierShape): CodeScheme {
  const o = rec(raw);
  const kind = str(o, 'kind');
  if (!KINDS.includes(kind as CodeKind)) throw new Error(`code scheme: unknown kind ${kind}`);
  const effectiveFrom = str(o, 'effectiveFrom');
  if (!/^\d{4}-\d{2}-\d{2}$/.test(effectiveFrom)) throw new Error('code scheme: effectiveFrom must be yyyy-mm-dd');
  const scope = Array.isArray(o['counterScope']) ? o['counterScope'] : [];
  const counterScope = scope.filter((p): p is CounterPart => typeof p === 'string' && PARTS.includes(p as CounterPart));
  const scheme: CodeScheme = {
    id: str(o, 'id'),
    kind: kind as CodeKind,
    source: typeof o['source'] === 'string' ? o['source'] : '',
    effectiveFrom,
    effectiveFromConfirmed: o['effectiveFromConfirmed'] === true,
    template: str(o, 'template'),
    pattern: /$^/u,
    counterScope,
  };
  if (typeof o['serialDigits'] === 'number') scheme.serialDigits = o['serialDigits'];
  if (typeof o['nnDigits'] === 'number') scheme.nnDigits = o['nnDigits'];
  if (typeof o['timeZone'] === 'string') scheme.timeZone = o['timeZone'];
  scheme.pattern = typeof o['pattern'] === 'string' ? new RegExp(o['pattern'], 'u') : templatePattern(scheme.template, scheme, dossier);
  return scheme;
}

/** Parses a scheme list shaped like code-schemes.json, so the app can add schemes from its database. */
export function schemesFromObject(raw: unknown): CodeScheme[] {
  const o = rec(raw);
  if (!Array.isArray(o['schemes'])) throw new Error('code schemes: schemes must be a list');
  // {dossier} in a result template stands for a dossier code of the latest dossier scheme listed.
  const last = [...o['schemes']].reverse().find((x) => rec(x)['kind'] === 'dossier');
  const dossier = last ? { template: str(rec(last), 'template'), serialDigits: Number(rec(last)['serialDigits'] ?? 4) } : undefined;
  return o['schemes'].map((x) => parseScheme(x, dossier));
}

let shipped: CodeScheme[] | undefined;

export function loadSchemes(): CodeScheme[] {
  shipped ??= schemesFromObject(SCHEME_DATA);
  return shipped;
}

export const DEFAULT_TIME_ZONE = 'Asia/Ho_Chi_Minh';

/** Calendar date (yyyy-mm-dd) of an instant in a time zone: a dossier received at 06:30 in Hanoi is dated that day, not the UTC day before. */
export function localDate(at: Date, timeZone: string = DEFAULT_TIME_ZONE): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(at);
  const get = (t: string): string => parts.find((p) => p.type === t)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/** The scheme of a kind in force at `at`: the one with the latest effectiveFrom not after that day. */
export function schemeFor(kind: CodeKind, at: Date, schemes: readonly CodeScheme[] = loadSchemes()): CodeScheme {
  let best: CodeScheme | undefined;
  for (const s of schemes) {
    if (s.kind !== kind) continue;
    if (s.effectiveFrom > localDate(at, s.timeZone)) continue;
    if (!best || s.effectiveFrom > best.effectiveFrom) best = s;
  }
  if (!best) throw new Error(`no ${kind} code scheme in force on ${at.toISOString()}`);
  return best;
}
