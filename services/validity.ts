// Whether a digitized paper can be reused today ("Validity of results" in the domain rules): it must be
// done (read, coded, signed), not revoked or superseded by its issuing unit, and within the validity
// its type's catalog entry gives: {months, from} counted from a date field, {untilField} a date
// printed on the paper, or neither (no expiry).
import type { DocTypeDef } from './classify/index.js';
import type { NOT_REUSABLE_REASONS } from '../schemas/api.js';

export type NotReusableReason = (typeof NOT_REUSABLE_REASONS)[number];

export interface ValidityFacts {
  status: string;
  fields: Record<string, string> | null;
  revokedAt: string | null;
  supersededBy: string | null;
}

export interface Validity {
  /** Last day (YYYY-MM-DD) the paper can be reused; null when it does not expire or cannot be known. */
  validUntil: string | null;
  reusable: boolean;
  notReusableReason: NotReusableReason | null;
  /** Why, in words, when the reason needs one (an unreadable date, an event the catalog cannot see). */
  note: string | null;
}

/** dd/mm/yyyy (as the extractor stores dates) → YYYY-MM-DD, or null when it is not a real day. */
export function paperDate(s: string | undefined): string | null {
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec((s ?? '').trim());
  if (!m) return null;
  const [d, mo, y] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return null;
  return date.toISOString().slice(0, 10);
}

/** The day in Vietnam (UTC+7, no daylight saving): "today" for the desk. */
export function vietnamDay(now: Date = new Date()): string {
  return new Date(now.getTime() + 7 * 3600_000).toISOString().slice(0, 10);
}

/** `months` after an ISO day, minus one day: a paper issued 17/10/2024 valid 6 months is valid through 16/04/2025. */
export function lastDayAfterMonths(isoDay: string, months: number): string {
  const [y, m, d] = isoDay.split('-').map(Number) as [number, number, number];
  const target = new Date(Date.UTC(y, m - 1 + months, 1));
  const lastOfMonth = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(d, lastOfMonth));
  target.setUTCDate(target.getUTCDate() - 1);
  return target.toISOString().slice(0, 10);
}

export function validityOf(doc: ValidityFacts, type: DocTypeDef | undefined, today: string = vietnamDay()): Validity {
  const rule = type?.validity;
  let validUntil: string | null = null;
  let unknown: string | null = null;
  if (rule?.untilField) {
    validUntil = paperDate(doc.fields?.[rule.untilField]);
    if (!validUntil) unknown = `the date in ${rule.untilField} cannot be read, so the paper's validity cannot be confirmed`;
  } else if (rule?.months && rule.from) {
    const from = paperDate(doc.fields?.[rule.from]);
    if (from) validUntil = lastDayAfterMonths(from, rule.months);
    else unknown = `the date in ${rule.from} cannot be read, so the paper's validity cannot be confirmed`;
  }
  const no = (reason: NotReusableReason, note: string | null = null): Validity => ({ validUntil, reusable: false, notReusableReason: reason, note });
  if (doc.status !== 'done') return no('NOT_DONE');
  if (doc.supersededBy) return no('SUPERSEDED');
  if (doc.revokedAt) return no('REVOKED');
  if (unknown) return no('EXPIRED', unknown);
  if (validUntil !== null && today > validUntil) return no('EXPIRED');
  return { validUntil, reusable: true, notReusableReason: null, note: rule?.unlessEvent ? `valid unless: ${rule.unlessEvent}` : null };
}
