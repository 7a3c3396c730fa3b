// Key-field extraction. Each field is found after one of its printed labels (matched on folded
// text so lost diacritics still match), optionally inside the section of the person it belongs to
// (the husband's id is the one after "tên chồng", before "tên vợ"), then normalized and checked.
import { checkPersonalId } from '../identifiers.js';
import { type DateParts, formatDate, parseDate, parseWrittenDate } from './dates.js';
import { normalizeName, titleCaseName } from './names.js';
import { findPersonalId } from './numbers.js';
import { splitLines, stripDiacritics } from './text.js';

export interface FieldCheck {
  ok: boolean;
  confidence: number;
  reason: string | null;
}

export interface FoundField {
  value: string;
  check: FieldCheck;
}

/** Lowercase, no diacritics, one character per input character, so match offsets index the original. */
function foldSameLength(s: string): string {
  let out = '';
  for (const ch of s) {
    const f = stripDiacritics(ch).toLowerCase();
    out += f.length === ch.length ? f : ch.length === 1 ? (f[0] ?? ch) : ch;
  }
  return out;
}

export class Doc {
  readonly lines: string[];
  readonly folded: string[];
  constructor(text: string) {
    this.lines = splitLines(text);
    this.folded = this.lines.map(foldSameLength);
  }

  /** First line index in [from, to) whose folded text matches `re`. */
  find(re: RegExp, from = 0, to = this.lines.length): number {
    for (let i = from; i < to; i++) if (re.test(this.folded[i]!)) return i;
    return -1;
  }
}

export interface Section {
  from: number;
  to: number;
}

/** Lines from the one matching `start` up to (not including) the one matching `end`. */
export function section(doc: Doc, start?: RegExp, end?: RegExp): Section | null {
  let from = 0;
  if (start) {
    from = doc.find(start);
    if (from < 0) return null;
  }
  let to = doc.lines.length;
  if (end) {
    const e = doc.find(end, from + 1);
    if (e >= 0) to = e;
  }
  return { from, to };
}

/** Labels that may follow a value on the same line; the value stops there. */
const STOP_LABELS =
  /\b(gioi tinh|dan toc|quoc tich|quan he voi|nam sinh|sinh ngay|chuc danh|chuc vu|ngay, thang|to ban do|ghi bang chu|can cuoc|so dinh danh|noi cu tru|dia chi)\b/;

export interface LabelHit {
  line: number;
  /** Text after the label on the same line, in original spelling. */
  rest: string;
  /** The following line, for values printed under their label. */
  next: string;
}

/** Finds the first label match within a section. Labels are regexes on folded text. */
export function findLabel(doc: Doc, labels: readonly RegExp[], sec: Section): LabelHit | null {
  for (let i = sec.from; i < sec.to; i++) {
    const f = doc.folded[i]!;
    let best: { at: number; end: number } | null = null;
    for (const re of labels) {
      const m = re.exec(f);
      if (m && (best === null || m.index < best.at)) best = { at: m.index, end: m.index + m[0].length };
    }
    if (best) {
      const line = doc.lines[i]!;
      return { line: i, rest: line.slice(best.end).trim(), next: doc.lines[i + 1] ?? '' };
    }
  }
  return null;
}

function cutAtStopLabel(s: string): string {
  const f = foldSameLength(s);
  const m = STOP_LABELS.exec(f);
  return (m ? s.slice(0, m.index) : s).trim();
}

const ok = (confidence: number, reason: string | null = null): FieldCheck => ({ ok: true, confidence, reason });
const bad = (reason: string, confidence = 0.3): FieldCheck => ({ ok: false, confidence, reason });

// ---- person names -----------------------------------------------------------------------------

export function readName(hit: LabelHit): FoundField | null {
  // A bilingual card's English label ("/ Full name:") may be misread ("/ Eull name:"): skip it whole.
  let raw = hit.rest.replace(/^\s*\/[^:]{0,30}:/, '').replace(/^[:;.\s-]+/, '');
  if (raw.replace(/[^\p{L}]/gu, '').length < 2) raw = hit.next;
  // "Ông/Bà: Mai Thành Cường, năm sinh ..." and "Xét đề nghị của ông/bà: X, về việc ...".
  raw = cutAtStopLabel(raw.split(/[,;(]/)[0] ?? '');
  const n = normalizeName(raw);
  if (n.value === '') return null;
  if (!n.plausible) return { value: n.value, check: bad('does not look like a personal name', 0.4) };
  if (n.ambiguous.length > 0) {
    return { value: n.value, check: ok(0.5, `diacritics lost and ambiguous in: ${n.ambiguous.join(', ')}`) };
  }
  if (n.repaired) return { value: n.value, check: ok(0.75, 'diacritics of a name part repaired') };
  if (n.uncertain) return { value: n.value, check: ok(0.7, 'a word without diacritics has accented variants') };
  return { value: n.value, check: ok(0.92) };
}

// ---- ids, dates, gender of the same person ---------------------------------------------------------

export interface PersonHints {
  birth?: DateParts;
  birthYear?: number;
  gender?: 'Nam' | 'Nữ';
}

const DOB_LABELS = [/ngay,? thang,? nam sinh\s*[:;]?/, /ngay sinh(\s*\/\s*date of birth)?\s*[:;]?/, /sinh ngay\s*[:;]?/];
const GENDER_RE = /gioi tinh(?:\s*\/\s*sex)?\s*[:;.]?\s*(nam|nu)\b/;

export function readGender(doc: Doc, sec: Section): FoundField | null {
  for (let i = sec.from; i < sec.to; i++) {
    const m = GENDER_RE.exec(doc.folded[i]!);
    if (m) return { value: m[1] === 'nam' ? 'Nam' : 'Nữ', check: ok(0.95) };
  }
  return null;
}

export function readDateAfter(doc: Doc, labels: readonly RegExp[], sec: Section): { parts: DateParts; hit: LabelHit } | null {
  let s = sec;
  while (s.from < s.to) {
    const hit = findLabel(doc, labels, s);
    if (!hit) return null;
    const parts = parseDate(hit.rest) ?? parseDate(hit.next);
    if (parts) return { parts, hit };
    s = { from: hit.line + 1, to: s.to };
  }
  return null;
}

export function personHints(doc: Doc, sec: Section): PersonHints {
  const hints: PersonHints = {};
  const dob = readDateAfter(doc, DOB_LABELS, sec);
  if (dob) {
    hints.birth = dob.parts;
    hints.birthYear = dob.parts.year;
  } else {
    const y = findLabel(doc, [/nam sinh\s*[:;]?\s*(?=\d{4})/], sec);
    const m = y ? /^(\d{4})/.exec(y.rest) : null;
    if (m) hints.birthYear = Number(m[1]);
  }
  const g = readGender(doc, sec);
  if (g) hints.gender = g.value as 'Nam' | 'Nữ';
  return hints;
}

const ID_LABELS = [
  /so dinh danh ca nhan(?:\s*\/\s*personal identification number)?\s*[:;.]?/,
  /so\s*\/\s*no\.?\s*[:;]?/,
  /\/\s*no\.?\s*[:;]/,
  /can cuoc cong dan so\s*[:;.]?/,
  /can cuoc so\s*[:;.]?/,
  /cccd so\s*[:;.]?/,
  /dinh danh\s*[:;.]?/,
];

export function readPersonalId(doc: Doc, sec: Section, hints: PersonHints, now: Date): FoundField | null {
  const hit = findLabel(doc, ID_LABELS, sec);
  if (!hit) return null;
  const found = findPersonalId(hit.rest) ?? findPersonalId(hit.next);
  if (!found) return { value: '', check: bad('no 12-digit id after its label', 0.1) };
  const known: { birthYear?: number; gender?: string } = {};
  if (hints.birthYear !== undefined) known.birthYear = hints.birthYear;
  if (hints.gender !== undefined) known.gender = hints.gender;
  const c = checkPersonalId(found.value, known, now);
  if (!c.ok) return { value: found.value, check: bad(c.reason ?? 'invalid personal id', 0.3) };
  const crossChecked = hints.birthYear !== undefined;
  const conf = found.repaired ? 0.7 : crossChecked ? 0.97 : 0.88;
  const reason = found.repaired ? 'OCR look-alike characters repaired' : crossChecked ? null : 'not cross-checked: no birth date printed';
  return { value: found.value, check: ok(conf, reason) };
}

// ---- dates ----------------------------------------------------------------------------------------

/** "<place>, ngày 07 tháng 03 năm 2022": the date a paper was signed. */
export function readPlaceDate(doc: Doc): DateParts | null {
  for (let i = 0; i < doc.lines.length; i++) {
    const f = doc.folded[i]!;
    const at = f.search(/, ngay\s*[0-9oil]/);
    if (at >= 0) {
      const d = parseDate(doc.lines[i]!.slice(at));
      if (d) return d;
    }
  }
  return null;
}

export function dateCheck(d: DateParts, now: Date, what: 'past' | 'any'): FieldCheck {
  const t = Date.UTC(d.year, d.month - 1, d.day);
  if (what === 'past' && t > now.getTime()) return bad('date is in the future', 0.4);
  return ok(0.93);
}

/** On a birth certificate the birth date is also written in words: the two must agree. */
export function writtenBirthCheck(doc: Doc, sec: Section, digits: DateParts): FieldCheck | null {
  const hit = findLabel(doc, [/ghi bang chu\s*[:;]?/], sec);
  if (!hit) return null;
  const written = parseWrittenDate(hit.rest + ' ' + hit.next) ?? parseWrittenDate(hit.rest);
  if (!written) return null;
  return formatDate(written) === formatDate(digits) ? ok(0.99, null) : bad('digits and words of the birth date differ', 0.3);
}

// ---- organisation and address text ------------------------------------------------------------------

const UNIT_WORDS = /^(xã|phường|thị trấn|huyện|quận|thị xã|thành phố|tỉnh)\s+(.*)$/iu;

/** "XÃ THÁI THỊNH" → "xã Thái Thịnh"; "Ủy ban nhân dân" keeps its sentence case. */
export function unitCase(s: string): string {
  const t = s.trim().replace(/\s+/g, ' ');
  const m = UNIT_WORDS.exec(t);
  if (m) return `${m[1]!.toLocaleLowerCase('vi')} ${titleCaseName(m[2]!)}`;
  return titleCaseName(t);
}

export function readIssuer(doc: Doc): FoundField | null {
  const hit = findLabel(doc, [/noi dang ky (?:khai sinh|ket hon|khai tu)\s*[:;]?/], { from: 0, to: doc.lines.length });
  if (hit) {
    const head = (hit.rest.split(',')[0] ?? '').trim();
    const m = /^(ủy ban nhân dân|uỷ ban nhân dân|ubnd)\s+(.*)$/iu.exec(head);
    if (m) return { value: `Ủy ban nhân dân ${unitCase(m[2]!)}`, check: ok(0.9) };
  }
  // Fallback: the header block "ỦY BAN NHÂN DÂN / XÃ ..." at the top.
  const i = doc.find(/^uy ban nhan dan\b/, 0, Math.min(doc.lines.length, 6));
  if (i >= 0) {
    const next = (doc.lines[i + 1] ?? '').replace(/\s(cộng hòa|độc lập)\b.*$/iu, '').trim();
    if (UNIT_WORDS.test(next)) return { value: `Ủy ban nhân dân ${unitCase(next)}`, check: ok(0.8, 'read from the header') };
  }
  return null;
}

/** A value that wraps onto following lines (addresses, company names). */
export function withContinuation(doc: Doc, hit: LabelHit, maxLines = 2, upperOnly = false): string {
  let value = hit.rest;
  for (let k = 1; k <= maxLines; k++) {
    const next = doc.lines[hit.line + k];
    if (next === undefined) break;
    if (/[:]/.test(next) || /^(\d+\.|-|[a-zđ]\)|[IVX]+\.)/iu.test(next)) break;
    if (upperOnly && next !== next.toLocaleUpperCase('vi')) break;
    if (!upperOnly && !/,\s*(tỉnh|thành phố)\s*$/iu.test(value) && !/[\p{L}]$/u.test(value.trim())) break;
    if (!upperOnly && /(tỉnh|thành phố)\s+[\p{Lu}][\p{L}]*\s+[\p{Lu}][\p{L}]*\.?$/u.test(value.trim())) break;
    value = `${value} ${next}`;
  }
  return value.replace(/\s+/g, ' ').replace(/[.;]\s*$/, '').trim();
}
