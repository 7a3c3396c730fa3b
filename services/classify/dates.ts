// Dates as printed on the papers: dd/mm/yyyy, "ngày 07 tháng 03 năm 2022", and the birth date
// written in words on a birth certificate, which serves as a cross-check of the digits.
import { fold, repairDigits } from './text.js';

export interface DateParts {
  day: number;
  month: number;
  year: number;
}

export function formatDate(d: DateParts): string {
  return `${String(d.day).padStart(2, '0')}/${String(d.month).padStart(2, '0')}/${String(d.year).padStart(4, '0')}`;
}

export function isValidDate(d: DateParts): boolean {
  if (d.year < 1850 || d.year > 2200 || d.month < 1 || d.month > 12 || d.day < 1) return false;
  const days = new Date(Date.UTC(d.year, d.month, 0)).getUTCDate();
  return d.day <= days;
}

function part(s: string | undefined): number | null {
  if (s === undefined) return null;
  const r = repairDigits(s);
  return r === null ? null : Number(r);
}

function build(d: string | undefined, m: string | undefined, y: string | undefined): DateParts | null {
  const day = part(d);
  const month = part(m);
  const year = part(y);
  if (day === null || month === null || year === null) return null;
  const parts = { day, month, year };
  return isValidDate(parts) ? parts : null;
}

// Digit look-alikes are allowed inside the groups and repaired, so "O7/O3/2O22" still reads.
const D = '[0-9OoIlS|]';
const NUMERIC = new RegExp(`(${D}{1,2})\\s?[/.-]\\s?(${D}{1,2})\\s?[/.-]\\s?(${D}{4})`);
const WRITTEN = new RegExp(`(?:ngay\\s*[:;]?\\s*)?(${D}{1,2})\\s*thang\\s*(${D}{1,2})\\s*nam\\s*(${D}{4})`);

/** First date in the string, numeric or "ngày .. tháng .. năm ..". Works on folded or raw text. */
export function parseDate(s: string): DateParts | null {
  const f = fold(s);
  const candidates: { at: number; parts: DateParts | null }[] = [];
  const n = NUMERIC.exec(f);
  if (n) candidates.push({ at: n.index, parts: build(n[1], n[2], n[3]) });
  const w = WRITTEN.exec(f);
  if (w) candidates.push({ at: w.index, parts: build(w[1], w[2], w[3]) });
  candidates.sort((a, b) => a.at - b.at);
  for (const c of candidates) if (c.parts) return c.parts;
  return null;
}

const DIGIT_WORDS: Record<string, number> = {
  khong: 0, mot: 1, hai: 2, ba: 3, bon: 4, tu: 4, nam: 5, lam: 5, sau: 6, bay: 7, tam: 8, chin: 9,
};

/**
 * Reads a number written in Vietnamese words ("hai nghìn không trăm hai mươi mốt" → 2021).
 * Returns null when a word is not a number word. Folded, "mười" and "mươi" are both "muoi": after a
 * digit it multiplies that digit by ten, alone it is ten.
 */
export function wordsToNumber(words: string): number | null {
  const toks = fold(words).replace(/[^a-z ]/g, ' ').split(/\s+/).filter((t) => t.length > 0);
  if (toks.length === 0) return null;
  let total = 0;
  let group = 0;
  let lastDigit: number | null = null;
  for (const t of toks) {
    const d = DIGIT_WORDS[t];
    if (d !== undefined) {
      group += d;
      lastDigit = d;
      continue;
    }
    if (t === 'muoi') {
      group = lastDigit !== null ? group - lastDigit + lastDigit * 10 : group + 10;
    } else if (t === 'tram') {
      group *= 100;
    } else if (t === 'nghin' || t === 'ngan') {
      total += (group === 0 ? 1 : group) * 1000;
      group = 0;
    } else if (t !== 'le' && t !== 'linh') {
      return null;
    }
    lastDigit = null;
  }
  return total + group;
}

/** Parses "Ngày hai mươi sáu tháng ba năm hai nghìn không trăm hai mươi mốt". */
export function parseWrittenDate(s: string): DateParts | null {
  const m = /ngay (.+?) thang (.+?) nam (.+)$/.exec(fold(s).replace(/[.,;]/g, ' ').replace(/\s+/g, ' ').trim());
  if (!m) return null;
  const day = wordsToNumber(m[1]!);
  const month = wordsToNumber(m[2]!);
  const year = wordsToNumber(m[3]!);
  if (day === null || month === null || year === null) return null;
  const parts = { day, month, year };
  return isValidDate(parts) ? parts : null;
}
