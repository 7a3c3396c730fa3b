// Identifier rules of ../shared/domain/README.md: the 12-digit personal identification number
// (PPP G YY RRRRRR) and the enterprise / tax code (10 digits with a check digit, or 13 for branches).
// Every refusal says in Vietnamese and English what is wrong and what is expected. Pure and free of
// Node APIs, so the browser console validates an id as it is typed with these same rules.
import provinceData from '../schemas/provinces.json' with { type: 'json' };

export type IdentifierKind = 'personal-id' | 'tax-code';

export interface Problem {
  vi: string;
  en: string;
}

export interface IdentifierCheck {
  ok: boolean;
  kind: IdentifierKind | null;
  /** English reason, for logs and tests; `problem` has both languages. */
  reason: string | null;
  problem: Problem | null;
}

const PROVINCES: Readonly<Record<string, string>> = provinceData.provinces;

const TAX_WEIGHTS = [31, 29, 23, 19, 17, 13, 7, 5, 3] as const;

export interface PersonalIdParts {
  province: string;
  centuryGender: number;
  birthYear: number;
  gender: 'Nam' | 'Nữ';
}

const ok = (kind: IdentifierKind): IdentifierCheck => ({ ok: true, kind, reason: null, problem: null });
const bad = (kind: IdentifierKind | null, vi: string, en: string): IdentifierCheck => ({ ok: false, kind, reason: en, problem: { vi, en } });

/** The name of a birth-registration province code, or null when no province has that code. */
export function provinceName(code: string): string | null {
  return PROVINCES[code] ?? null;
}

/** Splits a 12-digit id into province, birth year and gender, or null when it is not 12 digits of a known province. */
export function parsePersonalId(id: string): PersonalIdParts | null {
  if (!/^\d{12}$/.test(id)) return null;
  const province = id.slice(0, 3);
  if (!provinceName(province)) return null;
  const g = Number(id[3]);
  // G: 0/1 born 1900-1999, 2/3 born 2000-2099, 4/5 2100-2199 ... even = male, odd = female.
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
  const K = 'personal-id';
  if (!/^\d+$/.test(id)) return bad(K, 'số định danh cá nhân chỉ gồm chữ số (12 chữ số)', 'a personal id has digits only (12 digits)');
  if (id.length !== 12) {
    return bad(K, `số định danh cá nhân có 12 chữ số, số này có ${id.length}`, `a personal id has 12 digits; this one has ${id.length}`);
  }
  const parts = parsePersonalId(id);
  if (!parts) {
    return bad(
      K,
      `3 chữ số đầu ${id.slice(0, 3)} không phải mã tỉnh nơi đăng ký khai sinh (ví dụ 034 Thái Bình, 001 Hà Nội)`,
      `the first 3 digits ${id.slice(0, 3)} are not a birth-registration province code (e.g. 034 Thái Bình, 001 Hà Nội)`,
    );
  }
  if (parts.centuryGender > 3) {
    return bad(
      K,
      `chữ số thứ 4 (thế kỷ và giới tính) là ${parts.centuryGender}; chỉ 0–3 dùng cho người sinh 1900–2099`,
      `the 4th digit (century and sex) is ${parts.centuryGender}; only 0-3 are used for people born 1900-2099`,
    );
  }
  if (parts.birthYear > now.getUTCFullYear()) {
    return bad(K, `năm sinh ${parts.birthYear} trong số định danh là năm tương lai`, `the birth year ${parts.birthYear} in the id is in the future`);
  }
  if (known.birthYear !== undefined && known.birthYear !== parts.birthYear) {
    return bad(
      K,
      `năm sinh trong số định danh (${parts.birthYear}) không khớp ngày sinh (${known.birthYear})`,
      `the birth year in the id (${parts.birthYear}) does not match the date of birth (${known.birthYear})`,
    );
  }
  if (known.gender !== undefined) {
    const g = known.gender.trim().toLowerCase();
    const expected = parts.gender.toLowerCase();
    if ((g === 'nam' || g === 'nữ') && g !== expected) {
      return bad(
        K,
        `giới tính trong số định danh (${parts.gender}) không khớp giới tính ghi trên giấy (${known.gender})`,
        `the sex in the id (${parts.gender}) does not match the one on the paper (${known.gender})`,
      );
    }
  }
  return ok(K);
}

/** Tax / enterprise code: 10 digits with a check digit, optionally `-BBB` (or 13 digits) for a branch. */
export function checkTaxCode(code: string): IdentifierCheck {
  const K = 'tax-code';
  const m = /^(\d{10})(?:-?(\d{3}))?$/.exec(code);
  if (!m) {
    return bad(K, 'mã số thuế gồm 10 chữ số, hoặc 10 chữ số, dấu "-" và 3 chữ số của chi nhánh', 'a tax code is 10 digits, or 10 digits, "-" and a 3-digit branch number');
  }
  const digits = m[1]!;
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += TAX_WEIGHTS[i]! * Number(digits[i]);
  const check = 10 - (sum % 11);
  if (check === 10 || check !== Number(digits[9])) {
    return bad(K, `chữ số kiểm tra (chữ số thứ 10) của mã số thuế ${digits} không đúng`, `the check digit (10th digit) of tax code ${digits} is wrong`);
  }
  if (m[2] === '000') return bad(K, 'số chi nhánh 000 không được dùng', 'branch number 000 is not used');
  return ok(K);
}

/**
 * An applicant is a person (12-digit id) or an organisation (tax code). A 12-digit string is
 * read as a personal id; 10 or 13 digits as a tax code.
 */
export function checkApplicantId(id: string, now: Date = new Date()): IdentifierCheck {
  const trimmed = id.trim();
  if (/^\d{12}$/.test(trimmed)) return checkPersonalId(trimmed, {}, now);
  if (/^\d{10}(-?\d{3})?$/.test(trimmed)) return checkTaxCode(trimmed);
  if (/^\d+$/.test(trimmed)) {
    return bad(
      null,
      `cần số định danh cá nhân 12 chữ số hoặc mã số thuế 10 (13) chữ số; số này có ${trimmed.length} chữ số`,
      `expected a 12-digit personal id or a 10 (13)-digit tax code; this one has ${trimmed.length} digits`,
    );
  }
  return bad(null, 'cần số định danh cá nhân 12 chữ số hoặc mã số thuế, chỉ gồm chữ số', 'expected a 12-digit personal id or a tax code, digits only');
}

/** What is wrong with an id, in both languages (for messages). */
export function describeIdProblem(id: string, now: Date = new Date()): Problem {
  return checkApplicantId(id, now).problem ?? { vi: 'hợp lệ', en: 'valid' };
}

/**
 * The one spelling an id is stored and coded under: digits only for a personal id, and a branch tax
 * code with its dash (`0100109106-001`), as code segments write it.
 */
export function canonicalId(id: string): string {
  const t = id.replace(/\s/g, '');
  const branch = /^(\d{10})-?(\d{3})$/.exec(t);
  return branch ? `${branch[1]}-${branch[2]}` : t;
}

/** Masks a personal identifier for logs: keeps the province prefix and the last two digits. */
export function maskIdentifier(id: string): string {
  if (id.length <= 5) return '*'.repeat(id.length);
  return id.slice(0, 3) + '*'.repeat(id.length - 5) + id.slice(-2);
}
