// What a person may type into a key field: the same rules the extractors check the machine's reading
// with, so a value corrected at review (or typed in the console) is held to the paper's own format.
// Pure, and free of Node APIs, so the browser console can import it too.
import { checkPersonalId, checkTaxCode, describeIdProblem } from '../identifiers.js';
import { parseDate } from './dates.js';

export type FieldKind = 'personal-id' | 'tax-code' | 'date' | 'gender' | 'text';

/** The kind of a catalog field, from its name (the catalog's naming convention: *IdNumber, *Date). */
export function fieldKind(name: string): FieldKind {
  if (name === 'idNumber' || name.endsWith('IdNumber')) return 'personal-id';
  if (name === 'enterpriseCode') return 'tax-code';
  if (name === 'dateOfBirth' || name.endsWith('Date')) return 'date';
  if (name === 'gender') return 'gender';
  return 'text';
}

export interface FieldValueProblem {
  vi: string;
  en: string;
}

/** null when the value fits the field; otherwise what is wrong and what is expected, in both languages. */
export function checkFieldValue(name: string, value: string, now: Date = new Date()): FieldValueProblem | null {
  const v = value.trim();
  if (v === '') return { vi: `trường ${name} đang để trống; gửi null để xóa giá trị`, en: `${name} is empty; send null to remove the value` };
  switch (fieldKind(name)) {
    case 'personal-id': {
      const chk = checkPersonalId(v.replace(/\s/g, ''), {}, now);
      if (chk.ok) return null;
      const why = describeIdProblem(v.replace(/\s/g, ''), now);
      return { vi: `${name}: ${why.vi}`, en: `${name}: ${why.en}` };
    }
    case 'tax-code': {
      const chk = checkTaxCode(v.replace(/\s/g, ''));
      if (chk.ok) return null;
      const why = describeIdProblem(v.replace(/\s/g, ''), now);
      return { vi: `${name}: ${why.vi}`, en: `${name}: ${why.en}` };
    }
    case 'date': {
      const d = parseDate(v);
      if (d) return null;
      return { vi: `${name} phải là ngày dạng dd/mm/yyyy, ví dụ 05/04/2023`, en: `${name} must be a date as dd/mm/yyyy, e.g. 05/04/2023` };
    }
    case 'gender':
      if (/^(nam|nữ)$/iu.test(v.normalize('NFC'))) return null;
      return { vi: `${name} phải là "Nam" hoặc "Nữ"`, en: `${name} must be "Nam" or "Nữ"` };
    default:
      return null;
  }
}
