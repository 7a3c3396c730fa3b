// Layout half of the classifier: the title printed in capitals under the national motto names the
// paper. Matching the catalog's names (and aliases) against uppercase line windows makes a type the
// operator adds recognizable before any training, and a paper with no matching title is the
// strongest sign that it is outside the catalog.
import { editDistance, foldWords, MOTTO_FOLDED, fold, splitLines } from './text.js';

/** Header and signature lines are in capitals too, but never a paper's title. */
// Matched on lowercase text that keeps its diacritics: folded, "tỉnh" (province) and "tình" (as in
// "tình trạng hôn nhân") are the same word.
const NOT_TITLE = [
  /^(ủy ban nhân dân|uỷ ban nhân dân|ubnd|công an|số |sở |phòng |huyện |xã |phường |thị trấn |thành phố |tỉnh |văn phòng|bộ )/,
  /^(tm|kt|tl|tuq)\.? /,
  /^(chủ tịch|phó chủ tịch|trưởng phòng|giám đốc|chánh văn phòng|người làm đơn|người yêu cầu|trưởng công an)/,
];

function stripMotto(folded: string): string {
  let s = folded;
  for (const m of MOTTO_FOLDED) s = s.replace(m, ' ');
  return s.replace(/\s+/g, ' ').trim();
}

function mostlyUppercase(line: string): boolean {
  let upper = 0;
  let letters = 0;
  for (const ch of line) {
    if (ch.toLowerCase() !== ch.toUpperCase()) {
      letters++;
      if (ch === ch.toUpperCase()) upper++;
    }
  }
  return letters >= 4 && upper / letters >= 0.8;
}

export interface TitleLine {
  index: number;
  words: string[];
}

/** Uppercase lines (motto removed) from the top part of the paper, where titles are printed. */
export function titleLines(text: string): TitleLine[] {
  const lines = splitLines(text);
  const limit = Math.max(12, Math.ceil(lines.length * 0.6));
  const out: TitleLine[] = [];
  lines.slice(0, limit).forEach((line, index) => {
    // Two-column headers come out of OCR on one line with the motto; keep what is left of them.
    const cleaned = line.replace(/\(.*?\)/g, ' ');
    if (!mostlyUppercase(cleaned)) return;
    const folded = stripMotto(fold(cleaned));
    if (folded.length < 3) return;
    const lower = cleaned.toLowerCase().replace(/\s+/g, ' ').trim();
    if (NOT_TITLE.some((re) => re.test(lower))) return;
    out.push({ index, words: foldWords(folded) });
  });
  return out;
}

function wordsMatch(a: string, b: string): boolean {
  if (a === b) return true;
  // OCR drops or swaps one letter in longer words; short words must match exactly ("ho" vs "hon").
  return a.length >= 4 && b.length >= 4 && editDistance(a, b, 1) <= 1;
}

/**
 * How well a window of words reads as the title. The window must start with the title's first word:
 * a Vietnamese noun phrase leads with its head, so "TỜ KHAI cấp giấy xác nhận tình trạng hôn nhân"
 * is a declaration form, not the certificate it names. Words after the title (a subtitle on the same
 * line) cost half as much as words inside it.
 */
export function tokenF1(title: readonly string[], window: readonly string[]): number {
  if (title.length === 0 || window.length === 0) return 0;
  if (!wordsMatch(title[0]!, window[0]!)) return 0;
  const used = new Array<boolean>(window.length).fill(false);
  let hit = 0;
  let last = 0;
  for (const t of title) {
    const j = window.findIndex((w, k) => !used[k] && wordsMatch(t, w));
    if (j >= 0) {
      used[j] = true;
      hit++;
      last = Math.max(last, j);
    }
  }
  const span = last + 1;
  const p = hit / (span + 0.5 * (window.length - span));
  const r = hit / title.length;
  const f1 = p + r === 0 ? 0 : (2 * p * r) / (p + r);
  // Every word of a title must be there: "GIẤY CHỨNG NHẬN ĐĂNG KÝ THUẾ" shares five of six words with
  // "Giấy chứng nhận đăng ký doanh nghiệp" and is another paper. Long titles may lose one word to OCR.
  const missing = title.length - hit;
  const allowed = title.length >= 8 ? 1 : 0;
  return missing <= allowed ? f1 : f1 * 0.7;
}

/** Best match of each title against windows of up to 3 consecutive title lines. */
export function titleScore(lines: readonly TitleLine[], titles: readonly string[]): number {
  let best = 0;
  const folded = titles.map((t) => foldWords(t)).filter((w) => w.length > 0);
  for (let i = 0; i < lines.length; i++) {
    let window: string[] = [];
    for (let k = i; k < Math.min(lines.length, i + 3); k++) {
      const line = lines[k]!;
      // Only lines printed together form one title.
      if (k > i && line.index - lines[k - 1]!.index > 2) break;
      window = window.concat(line.words);
      for (const t of folded) best = Math.max(best, tokenF1(t, window));
    }
  }
  return best;
}
