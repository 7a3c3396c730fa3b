// Identifier rules of ../shared/domain/README.md: the 12-digit personal identification number
// (PPP G YY RRRRRR) and the enterprise / tax code (10 digits with a check digit, or 13 for branches).

export type IdentifierKind = 'personal-id' | 'tax-code';

export interface IdentifierCheck {
  ok: boolean;
  kind: IdentifierKind | null;
  reason: string | null;
}

/** Province-of-registration prefixes in use (001..096, odd gaps are unassigned but not checked here). */
const MAX_PROVINCE_PREFIX = 96;

const TAX_WEIGHTS = [31, 29, 23, 19, 17, 13, 7, 5, 3] as const;

export interface PersonalIdParts {
  province: string;
  centuryGender: number;
  birthYear: number;
  gender: 'Nam' | 'Nữ';
}

/** Splits a 12-digit id into province, birth year and gender, or null when the shape is wrong. */
export function parsePersonalId(id: string): PersonalIdParts | null {
  if (!/^\d{12}$/.test(id)) return null;
  const province = id.slice(0, 3);
  const provinceNo = Number(province);
  if (provinceNo < 1 || provinceNo > MAX_PROVINCE_PREFIX) return null;
  const g = Number(id[3]);
  // G: 0/1 born 1900-1999, 2/3 born 2000-2099, 4/5 2100-2199 ... even = male, odd = female.
  if (g > 9) return null;
  const century = 1900 + Math.floor(g / 2) * 100;
  const birthYear = century + Number(id.slice(4, 6));
  return { province, centuryGender: g, birthYear, gender: g % 2 === 0 ? 'Nam' : 'Nữ' };
}

/** Checks a personal id, and its agreement with a known birth year and gender when given. */
export function checkPersonalId(
  id: string,
  known: { birthYear?: number; gender?: string } = {},
  now: Date = new Date(),
): IdentifierCheck {
  const parts = parsePersonalId(id);
  if (!parts) return { ok: false, kind: 'personal-id', reason: 'not a 12-digit personal id' };
  if (parts.centuryGender > 3) return { ok: false, kind: 'personal-id', reason: 'century digit out of range' };
  if (parts.birthYear > now.getUTCFullYear()) {
    return { ok: false, kind: 'personal-id', reason: 'birth year in the future' };
  }
  if (known.birthYear !== undefined && known.birthYear !== parts.birthYear) {
    return { ok: false, kind: 'personal-id', reason: 'birth year does not match the id' };
  }
  if (known.gender !== undefined) {
    const g = known.gender.trim().toLowerCase();
    const expected = parts.gender.toLowerCase();
    if ((g === 'nam' || g === 'nữ') && g !== expected) {
      return { ok: false, kind: 'personal-id', reason: 'gender does not match the id' };
    }
  }
  return { ok: true, kind: 'personal-id', reason: null };
}

/** Tax / enterprise code: 10 digits with a check digit, optionally `-BBB` (or 13 digits) for a branch. */
export function checkTaxCode(code: string): IdentifierCheck {
  const m = /^(\d{10})(?:-?(\d{3}))?$/.exec(code);
  if (!m) return { ok: false, kind: 'tax-code', reason: 'not a 10- or 13-digit tax code' };
  const digits = m[1]!;
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += TAX_WEIGHTS[i]! * Number(digits[i]);
  const check = 10 - (sum % 11);
  if (check === 10 || check !== Number(digits[9])) {
    return { ok: false, kind: 'tax-code', reason: 'check digit does not match' };
  }
  if (m[2] === '000') return { ok: false, kind: 'tax-code', reason: 'branch number 000 is not used' };
  return { ok: true, kind: 'tax-code', reason: null };
}

/**
 * An applicant is a person (12-digit id) or an organisation (tax code). A 12-digit string is
 * read as a personal id; 10 or 13 digits as a tax code.
 */
export function checkApplicantId(id: string, now: Date = new Date()): IdentifierCheck {
  const trimmed = id.trim();
  if (/^\d{12}$/.test(trimmed)) return checkPersonalId(trimmed, {}, now);
  if (/^\d{10}(-?\d{3})?$/.test(trimmed)) return checkTaxCode(trimmed);
  return { ok: false, kind: null, reason: 'neither a 12-digit personal id nor a tax code' };
}

/** Masks a personal identifier for logs: keeps the province prefix and the last two digits. */
export function maskIdentifier(id: string): string {
  if (id.length <= 5) return '*'.repeat(id.length);
  return id.slice(0, 3) + '*'.repeat(id.length - 5) + id.slice(-2);
}
