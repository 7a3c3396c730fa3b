// Vietnamese personal names: papers print them in capitals, registers keep them in title case.
// Uppercase OCR is where diacritics get lost or swapped (NGUYỄN read as NGUYÊN), and a name is the
// field a citizen notices first, so the surname (a closed, short list) is repaired, and the repair
// is reported so the field's confidence drops.
import { asStringArray, isRecord, readSchemaJson } from './data.js';
import { stripDiacritics } from './text.js';

/** Common surnames, with their one accepted spelling. Folded forms are unique in this list. */
const SURNAMES = [
  'Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Huỳnh', 'Phan', 'Vũ', 'Võ', 'Đặng', 'Bùi', 'Đỗ', 'Hồ',
  'Ngô', 'Dương', 'Lý', 'Đinh', 'Trịnh', 'Mai', 'Quách', 'Tạ', 'Lương', 'Đào', 'Đoàn', 'Vương',
  'Trương', 'Cao', 'Lâm', 'Chu', 'Tô', 'Hà', 'Kiều', 'Lưu', 'Triệu', 'Phùng', 'Đàm', 'Khổng',
  'Nghiêm', 'Tống', 'Thân', 'Doãn', 'Quan', 'Giang', 'Lã', 'Mạc', 'Phí', 'Tăng', 'Âu', 'Hứa', 'Diệp',
  'Châu', 'Đồng', 'Khúc', 'Ninh', 'Bạch', 'Cù', 'Nông', 'Lục', 'Thái',
];

let syllables: Map<string, string[]> | undefined;

/** Folded syllable → accepted spellings (lowercase), from schemas/name-syllables.json. */
function syllableIndex(): Map<string, string[]> {
  if (!syllables) {
    const raw = readSchemaJson('name-syllables.json');
    syllables = new Map();
    for (const s of asStringArray(isRecord(raw) ? raw['syllables'] : [])) {
      const lower = s.normalize('NFC').toLocaleLowerCase('vi');
      const key = stripDiacritics(lower);
      const list = syllables.get(key) ?? [];
      if (!list.includes(lower)) list.push(lower);
      syllables.set(key, list);
    }
  }
  return syllables;
}

let confusions: Map<string, string> | undefined;

function surnameConfusions(): Map<string, string> {
  if (!confusions) {
    const raw = readSchemaJson('name-syllables.json');
    const c = isRecord(raw) && isRecord(raw['surnameConfusions']) ? raw['surnameConfusions'] : {};
    confusions = new Map(
      Object.entries(c)
        .filter((e): e is [string, string] => !e[0].startsWith('_') && typeof e[1] === 'string')
        .map(([k, v]) => [k.toLocaleLowerCase('vi'), v]),
    );
  }
  return confusions;
}

/**
 * Repairs a surname only where the reading cannot be right: a bare word ("NGUYEN"), a listed
 * confusion ("NGUYÊN"), or an accented spelling that is neither a surname nor a name syllable.
 * "QUÂN" is left alone although it folds like the surname Quan.
 */
export function repairSurname(word: string): string {
  const lower = word.toLocaleLowerCase('vi');
  const canon = SURNAME_BY_FOLD.get(stripDiacritics(lower));
  if (canon === undefined || canon.toLocaleLowerCase('vi') === lower) return word;
  const listed = surnameConfusions().get(lower);
  if (listed !== undefined) return listed;
  if (stripDiacritics(lower) === lower) return canon;
  const isSyllable = (syllableIndex().get(stripDiacritics(lower)) ?? []).includes(lower);
  return isSyllable ? word : canon;
}

export type SyllableVerdict =
  | { kind: 'ok' }
  | { kind: 'uncertain' }
  | { kind: 'repaired'; value: string }
  | { kind: 'ambiguous'; options: string[] };

/**
 * Judges one word of a name. Only words without any mark are suspect: OCR loses marks, it rarely
 * invents them. A bare word that is a valid spelling stays; one with a single accented spelling is
 * repaired; one with several ("VAN": Văn or Vân) cannot be decided here.
 */
export function checkSyllable(word: string): SyllableVerdict {
  const lower = word.toLocaleLowerCase('vi');
  if (stripDiacritics(lower) !== lower) return { kind: 'ok' };
  const options = syllableIndex().get(lower);
  if (!options || (options.includes(lower) && options.length === 1)) return { kind: 'ok' };
  // "THANH" is a name, but so is "THÀNH" with its mark lost: keep it, with less confidence.
  if (options.includes(lower)) return { kind: 'uncertain' };
  if (options.length === 1) return { kind: 'repaired', value: options[0]! };
  return { kind: 'ambiguous', options };
}

function matchCase(template: string, value: string): string {
  if (template === template.toLocaleUpperCase('vi')) return value.toLocaleUpperCase('vi');
  return value.charAt(0).toLocaleUpperCase('vi') + value.slice(1);
}

/** Applies checkSyllable to every word of a text (names of people, households, companies), keeping case. */
export function repairWords(text: string, skip = 0): { value: string; repaired: boolean; ambiguous: string[]; uncertain: boolean } {
  const words = text.split(' ');
  let repaired = false;
  let uncertain = false;
  const ambiguous: string[] = [];
  for (let i = skip; i < words.length; i++) {
    const w = words[i]!;
    if (w === '') continue;
    const v = checkSyllable(w);
    if (v.kind === 'repaired') {
      words[i] = matchCase(w, v.value);
      repaired = true;
    } else if (v.kind === 'ambiguous') ambiguous.push(w);
    else if (v.kind === 'uncertain') uncertain = true;
  }
  return { value: words.join(' '), repaired, ambiguous, uncertain };
}

const SURNAME_BY_FOLD = new Map<string, string>();
for (const s of SURNAMES) SURNAME_BY_FOLD.set(stripDiacritics(s).toLowerCase(), s);

function capitalize(word: string): string {
  const lower = word.toLocaleLowerCase('vi');
  const first = lower.charAt(0);
  return first.toLocaleUpperCase('vi') + lower.slice(1);
}

/** Title case per word ("ĐẶNG ĐỨC VIỆT" → "Đặng Đức Việt"); also fixes "Uỷ"-style old accent placement only by NFC. */
export function titleCaseName(name: string): string {
  return name
    .normalize('NFC')
    .split(/\s+/)
    .filter((w) => w.length > 0)
    .map(capitalize)
    .join(' ');
}

export interface NameResult {
  value: string;
  repaired: boolean;
  /** Words whose lost diacritics cannot be restored with certainty. */
  ambiguous: string[];
  /** A bare word that is valid but has accented variants (THANH / THÀNH). */
  uncertain: boolean;
  plausible: boolean;
}

const NAME_CHARS = /^[\p{L}]+$/u;

/** Title-cases a printed name, repairs the surname's diacritics, and says whether it looks like a name. */
export function normalizeName(raw: string): NameResult {
  const words = titleCaseName(raw.replace(/[^\p{L}\s]/gu, ' ')).split(' ').filter((w) => w.length > 0);
  let repaired = false;
  const first = words[0];
  if (first !== undefined) {
    const fixedSurname = repairSurname(first);
    if (fixedSurname !== first) {
      words[0] = fixedSurname;
      repaired = true;
    }
  }
  const rest = repairWords(words.join(' '), 1);
  if (rest.repaired) repaired = true;
  const fixed = rest.value.split(' ');
  // Digits or a colon mean a label or a number was swallowed with the name.
  const plausible =
    !/[0-9:]/.test(raw) &&
    fixed.length >= 2 &&
    fixed.length <= 6 &&
    fixed.every((w) => NAME_CHARS.test(w) && w.length <= 7);
  return { value: fixed.join(' '), repaired, ambiguous: rest.ambiguous, uncertain: rest.uncertain, plausible };
}
