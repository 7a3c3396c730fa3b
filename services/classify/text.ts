// Text normalization shared by the classifier and the field extractors. OCR output loses or
// confuses Vietnamese diacritics, so matching is done on a folded form (no diacritics, lowercase,
// single spaces) while values are read from the original text.

/** NFC + collapse runs of whitespace (the corpus scoring folds whitespace the same way). */
export function nfcSpaces(s: string): string {
  return s.normalize('NFC').replace(/\s+/g, ' ').trim();
}

/** Removes diacritics; đ/Đ is a separate letter in Unicode, not a combining mark, so map it by hand. */
export function stripDiacritics(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .normalize('NFC');
}

/** Folded form used for matching: no diacritics, lowercase, punctuation kept, spaces collapsed. */
export function fold(s: string): string {
  return stripDiacritics(s).toLowerCase().replace(/\s+/g, ' ').trim();
}

/** Folded form with punctuation removed: used for token-level comparisons. */
export function foldWords(s: string): string[] {
  return fold(s)
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()
    .split(' ')
    .filter((w) => w.length > 0);
}

/** Splits OCR text into non-empty, whitespace-collapsed lines. */
export function splitLines(text: string): string[] {
  return text
    .normalize('NFC')
    .split(/\r?\n/)
    .map((l) => l.replace(/\s+/g, ' ').trim())
    .filter((l) => l.length > 0);
}

/** Levenshtein distance, with an early exit once it exceeds `max` (returns max + 1 then). */
export function editDistance(a: string, b: string, max = Number.POSITIVE_INFINITY): number {
  if (a === b) return 0;
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = new Array<number>(b.length + 1);
  let cur = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    [prev, cur] = [cur, prev];
  }
  return prev[b.length]!;
}

/** Letters tesseract returns inside digit runs, mapped to the digit they stand for. */
const DIGIT_LOOKALIKES: Record<string, string> = {
  O: '0', o: '0', Q: '0', D: '0', Ø: '0',
  l: '1', I: '1', i: '1', '|': '1', '!': '1', L: '1',
  S: '5', s: '5',
  B: '8',
  Z: '2', z: '2',
  G: '6', b: '6',
  T: '7',
  g: '9', q: '9',
};

/**
 * Repairs a token that should be all digits: maps look-alike letters to digits and drops spaces.
 * Returns null when the token is not plausibly numeric (fewer than half its characters are digits),
 * so words are never turned into numbers.
 */
export function repairDigits(token: string): string | null {
  const t = token.replace(/[\s.]/g, '');
  if (t.length === 0) return null;
  let digits = 0;
  for (const ch of t) if (ch >= '0' && ch <= '9') digits++;
  if (digits * 2 < t.length) return null;
  let out = '';
  for (const ch of t) {
    if (ch >= '0' && ch <= '9') out += ch;
    else {
      const d = DIGIT_LOOKALIKES[ch];
      if (d === undefined) return null;
      out += d;
    }
  }
  return out;
}

/** The national motto and its subtitle: present on nearly every paper, so it says nothing about the type. */
export const MOTTO_FOLDED = ['cong hoa xa hoi chu nghia viet nam', 'doc lap - tu do - hanh phuc', 'doc lap tu do hanh phuc'];
