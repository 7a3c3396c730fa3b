// Formatting and validation of dossier, electronic-result and digitized-paper codes. Pure: the
// serials come from the caller's atomic counters, whose scope counterKey() names.
import { type CodeScheme, DEFAULT_TIME_ZONE, localDate, schemeFor } from './schemes.js';
import { anchored } from '../../schemas/codes.js';

export class CodeFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CodeFormatError';
  }
}

// Whole-value validators of the code parts, from schemas/code-schemes.json.
/** Agency identifier V1V2V3.Z1Z2.Y1Y2.MX1X2 (QCVN 102:2016/BTTTT), e.g. 000.00.12.H54. */
export const UNIT_CODE_RE = new RegExp(anchored('unit'));
/** National procedure code d.dddddd, optionally with a province's local unit suffix. */
export const PROCEDURE_CODE_RE = new RegExp(anchored('procedure'));
/** Result-type code KQ.<ministry>.<6 digits>, e.g. KQ.G15.000031. */
export const RESULT_TYPE_CODE_RE = new RegExp(anchored('resultType'));
export const OWNER_ID_RE = new RegExp(anchored('owner'));

function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_m, k: string) => {
    const v = values[k];
    if (v === undefined) throw new CodeFormatError(`template placeholder {${k}} has no value`);
    return v;
  });
}

function pad(n: number, digits: number, what: string): string {
  if (!Number.isInteger(n) || n < 1) throw new CodeFormatError(`${what} must be a positive integer`);
  const s = String(n);
  if (s.length > digits) throw new CodeFormatError(`${what} ${n} does not fit in ${digits} digits`);
  return s.padStart(digits, '0');
}

/** YYMMDD of the day an instant falls on in the scheme's time zone. */
export function yymmdd(at: Date, timeZone: string = DEFAULT_TIME_ZONE): string {
  const d = localDate(at, timeZone);
  return d.slice(2, 4) + d.slice(5, 7) + d.slice(8, 10);
}

/** `<unit code>-<YYMMDD>-<NNNN>`: receiving unit, day received, 4-digit serial per unit per day. */
export function formatDossierCode(unitCode: string, date: Date, serial: number, scheme: CodeScheme = schemeFor('dossier', date)): string {
  if (!UNIT_CODE_RE.test(unitCode)) throw new CodeFormatError(`not an agency identifier code: ${unitCode}`);
  const code = fill(scheme.template, {
    unit: unitCode,
    date: yymmdd(date, scheme.timeZone),
    serial: pad(serial, scheme.serialDigits ?? 4, 'dossier serial'),
  });
  if (!scheme.pattern.test(code)) throw new CodeFormatError(`dossier code ${code} does not match scheme ${scheme.id}`);
  return code;
}

/** `<dossier code>-KQ<n>`: the n-th electronic result of a dossier. */
export function formatResultCode(dossierCode: string, n: number, scheme: CodeScheme = schemeFor('result', new Date())): string {
  if (!Number.isInteger(n) || n < 1) throw new CodeFormatError('result index must be a positive integer');
  const code = fill(scheme.template, { dossier: dossierCode, n: String(n) });
  if (!scheme.pattern.test(code)) throw new CodeFormatError(`result code ${code} does not match scheme ${scheme.id}`);
  return code;
}

/**
 * Turns a document number into a code segment: ASCII fold (Đ→D, diacritics dropped), upper case,
 * '/', '.', '_' and spaces → '-', anything else dropped, '-' runs collapsed.
 * "1958/QĐ-UBND" → "1958-QD-UBND". Dots are removed because '.' separates segments.
 */
export function sanitizeSegment(raw: string): string {
  return raw
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[đĐ]/g, 'D')
    .toUpperCase()
    .replace(/[/._\s]+/g, '-')
    .replace(/[^A-Z0-9-]/g, '')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '');
}

export interface DigitizedParts {
  /** Owner's 12-digit personal id or tax code; null/empty when unknown (metadata then carries the owner). */
  ownerId?: string | null;
  /** Result-type code of the paper's type (e.g. KQ.G15.000031), when the catalog has one. */
  resultTypeCode?: string | null;
  /** Procedure code, used when the type has no result-type code, and for dossier components. */
  procedureCode?: string | null;
  /** The paper's number (results) … */
  documentNumber?: string | null;
  /** … or the component code (dossier components). */
  componentCode?: string | null;
}

interface Segments {
  owner: string;
  type: string;
  number: string;
}

/** The owner/type/number segments of a digitized-paper code, validated. Shared by format and counterKey. */
export function digitizedSegments(parts: DigitizedParts): Segments {
  const owner = (parts.ownerId ?? '').trim();
  if (owner !== '' && !OWNER_ID_RE.test(owner)) throw new CodeFormatError('owner id must be a 12-digit personal id or a tax code');
  const rtc = (parts.resultTypeCode ?? '').trim();
  const proc = (parts.procedureCode ?? '').trim();
  let type: string;
  if (rtc !== '') {
    if (!RESULT_TYPE_CODE_RE.test(rtc)) throw new CodeFormatError(`not a result-type code: ${rtc}`);
    type = rtc;
  } else if (proc !== '') {
    if (!PROCEDURE_CODE_RE.test(proc)) throw new CodeFormatError(`not a procedure code: ${proc}`);
    type = proc;
  } else {
    throw new CodeFormatError('a digitized-paper code needs a result-type code or a procedure code');
  }
  const number = sanitizeSegment(parts.documentNumber ?? parts.componentCode ?? '');
  if (number === '') throw new CodeFormatError('a digitized-paper code needs a document number or a component code');
  return { owner, type, number };
}

/** `<owner id>.<result-type or procedure code>.<number or component>.<NN>` (practice scheme). */
export function formatDigitizedCode(scheme: CodeScheme, parts: DigitizedParts, nn: number): string {
  if (scheme.kind !== 'digitized') throw new CodeFormatError(`scheme ${scheme.id} is not a digitized-paper scheme`);
  const seg = digitizedSegments(parts);
  const code = fill(scheme.template, { ...seg, nn: pad(nn, scheme.nnDigits ?? 2, 'digitized-paper counter') });
  if (!scheme.pattern.test(code)) throw new CodeFormatError(`digitized code ${code} does not match scheme ${scheme.id}`);
  return code;
}

export type CounterRequest =
  | { kind: 'dossier'; unitCode: string; date: Date }
  | { kind: 'result'; dossierCode: string }
  | { kind: 'digitized'; parts: DigitizedParts };

export interface CounterKey {
  /** Scheme whose counter this is; a new scheme starts new counters. */
  schemeId: string;
  /** Stable key of the counter row, e.g. "dossier:000.00.12.H54:230405". */
  key: string;
  /** Largest value the code can hold (9999 for NNNN, 99 for NN); null when unbounded. */
  max: number | null;
}

/** Which atomic counter a code draws from: per unit per day, per dossier, or per (owner, type, number). */
export function counterKey(req: CounterRequest, at: Date = new Date()): CounterKey {
  if (req.kind === 'dossier') {
    const s = schemeFor('dossier', req.date);
    return { schemeId: s.id, key: `dossier:${req.unitCode}:${yymmdd(req.date, s.timeZone)}`, max: 10 ** (s.serialDigits ?? 4) - 1 };
  }
  if (req.kind === 'result') {
    const s = schemeFor('result', at);
    return { schemeId: s.id, key: `result:${req.dossierCode}`, max: null };
  }
  const s = schemeFor('digitized', at);
  const seg = digitizedSegments(req.parts);
  return { schemeId: s.id, key: `digitized:${seg.owner}|${seg.type}|${seg.number}`, max: 10 ** (s.nnDigits ?? 2) - 1 };
}

/** Codes of each kind under the schemes in force today (a stored code is checked against its own scheme). */
export const DOSSIER_CODE_RE = schemeFor('dossier', new Date()).pattern;
export const RESULT_CODE_RE = schemeFor('result', new Date()).pattern;
export const DIGITIZED_CODE_RE = schemeFor('digitized', new Date()).pattern;

/** Validates a code against the scheme it was recorded under (or the current one of its kind). */
export function isValidCode(kind: 'dossier' | 'result' | 'digitized', code: string, scheme?: CodeScheme): boolean {
  const s = scheme ?? schemeFor(kind, new Date());
  return s.kind === kind && s.pattern.test(code);
}
