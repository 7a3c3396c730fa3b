// Number-like fields: personal ids, document numbers ("273/XNTTHN", "1958/QĐ-UBND"), serials
// ("CS 123456"), enterprise and household-business codes. OCR confuses O/0, l/1, S/5, B/8 inside
// them; repairs happen only on the parts that must be digits.
import { isRecord, readSchemaJson } from './data.js';
import { repairDigits } from './text.js';

/** Digits and the letters OCR returns in their place, with single spaces allowed between groups. */
const DIGITISH = '[0-9OoQDIl|!SsBZ]';

/** First 12-digit personal id in the string (spaces between digit groups tolerated). */
export function findPersonalId(s: string): { value: string; repaired: boolean } | null {
  const re = new RegExp(`${DIGITISH}(?:\\s?${DIGITISH}){8,14}`, 'g');
  for (const m of s.matchAll(re)) {
    const raw = m[0];
    // A token that starts or ends inside a word is text, not an id ("Số" next to digits).
    const before = s[(m.index ?? 0) - 1];
    if (before !== undefined && /\p{L}/u.test(before)) continue;
    const fixed = repairDigits(raw);
    if (fixed !== null && fixed.length === 12) return { value: fixed, repaired: fixed !== raw.replace(/\s/g, '') };
  }
  return null;
}

/** A number made of digit look-alikes at the start of the string ("266", "S2" → "52"). */
export function leadingNumber(s: string): string | null {
  const m = new RegExp(`^\\s*(${DIGITISH}+)`).exec(s);
  if (!m) return null;
  return repairDigits(m[1]!);
}

interface Rules {
  documentNumber: Record<string, string>;
  symbolRepairs: Record<string, string>;
}

let rules: Rules | undefined;

export function extractionRules(): Rules {
  if (!rules) {
    const raw = readSchemaJson('extraction-rules.json');
    const obj = isRecord(raw) ? raw : {};
    const strMap = (v: unknown): Record<string, string> =>
      isRecord(v) ? Object.fromEntries(Object.entries(v).filter((e): e is [string, string] => typeof e[1] === 'string')) : {};
    rules = { documentNumber: strMap(obj['documentNumber']), symbolRepairs: strMap(obj['symbolRepairs']) };
  }
  return rules;
}

/**
 * Normalizes a document number read after "Số:": digits repaired, symbol upper-cased with
 * Vietnamese letters kept, OCR's D for Đ restored for known symbols, trailing punctuation dropped.
 */
export function normalizeDocumentNumber(raw: string, form: string = 'full'): string | null {
  let token = raw.trim().split(/\s+/)[0]?.replace(/[_.,;:)]+$/, '') ?? '';
  // OCR reads the slash of "247/XNTTHN" as I, l or |; a letter run right after the digits means a symbol.
  token = token.replace(/^([0-9OoS]+)[Il|]([A-ZĐ]{2,})/u, '$1/$2');
  const m = /^([0-9OoIl|SB]+)(?:\s*\/\s*(.+))?$/u.exec(token);
  if (!m) return null;
  const num = repairDigits(m[1]!);
  if (num === null || num.length === 0) return null;
  if (form === 'entry' || m[2] === undefined) return num;
  const repairs = extractionRules().symbolRepairs;
  // Symbols may carry a year and several parts: "12/2024/QĐ-UBND"; repair each part on its own.
  const symbol = m[2]
    .split('/')
    .map((seg) =>
      seg
        .split('-')
        .map((p) => {
          const up = p.toLocaleUpperCase('vi');
          return repairs[up] ?? repairs[p] ?? up;
        })
        .join('-'),
    )
    .join('/');
  return `${num}/${symbol}`;
}

export const DOCUMENT_NUMBER_RE = /^\d{1,7}(?:\/[\p{Lu}\p{N}]+(?:-[\p{L}\p{N}]+)*)*$/u;

/** Land-certificate style serial: two capital letters and six digits ("CS 407503"). */
export function findSerial(s: string): string | null {
  const m = /(?:^|[^\p{L}])([A-Z]{2})\s?([0-9OIlSB]{6})(?![0-9])/u.exec(s);
  if (!m) return null;
  const digits = repairDigits(m[2]!);
  return digits && digits.length === 6 ? `${m[1]} ${digits}` : null;
}

/** Household business code: two-digit province code, a letter, then digits ("34C8052312"). */
export function normalizeBusinessCode(raw: string): string | null {
  const t = raw.trim().split(/\s+/)[0] ?? '';
  const m = /^([0-9OIlSB]{2})([A-Z])([0-9OIlSB]{5,9})$/.exec(t.toUpperCase());
  if (!m) return null;
  const a = repairDigits(m[1]!);
  const b = repairDigits(m[3]!);
  return a && b ? `${a}${m[2]}${b}` : null;
}

/** Enterprise / tax code: 10 digits, or 10 + '-' + 3 for a branch. */
export function normalizeTaxCode(raw: string): string | null {
  const m = new RegExp(`^\\s*(${DIGITISH}{10})(?:\\s?-\\s?(${DIGITISH}{3}))?`).exec(raw);
  if (!m) return null;
  const main = repairDigits(m[1]!);
  if (!main || main.length !== 10) return null;
  if (m[2] === undefined) return main;
  const branch = repairDigits(m[2]);
  return branch ? `${main}-${branch}` : main;
}
