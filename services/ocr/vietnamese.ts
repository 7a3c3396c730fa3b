// Is a token a well-formed Vietnamese syllable? Upside-down or sideways text read as letters is rarely
// one, while real text almost always is (or a number), so the share of such tokens tells a right
// reading from a wrong one where tesseract's own confidence is too low to.

const TONE_MARKS = /[\u0300\u0301\u0303\u0309\u0323]/gu;
/** Onset, vowel nucleus (with its modifiers), coda: the shape of every Vietnamese syllable. */
const SYLLABLE = /^(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|b|c|d|đ|g|h|k|l|m|n|p|r|s|t|v|x)?[aăâeêioôơuưy]{1,3}(ch|ng|nh|c|m|n|p|t)?$/u;
const NUMBER = /^\d+([.,/:-]\d+)*$/u;
const EDGE_PUNCTUATION = /^[\p{P}\p{S}]+|[\p{P}\p{S}]+$/gu;

/** Lower-case letters without tone marks, vowel modifiers kept (ờ → ơ, ấ → â). */
function toneless(word: string): string {
  return word.normalize('NFD').replace(TONE_MARKS, '').normalize('NFC').toLowerCase();
}

export function isVietnameseWord(token: string): boolean {
  const w = token.replace(EDGE_PUNCTUATION, '');
  if (w.length === 0) return false;
  if (NUMBER.test(w)) return true;
  return SYLLABLE.test(toneless(w));
}

/** Character-weighted share of the words that are Vietnamese syllables or numbers (0 when there are none). */
export function dictionaryShare(words: string[]): number {
  let hit = 0;
  let all = 0;
  for (const t of words) {
    const w = t.replace(EDGE_PUNCTUATION, '');
    if (w.length === 0) continue;
    all += w.length;
    if (isVietnameseWord(w)) hit += w.length;
  }
  return all === 0 ? 0 : hit / all;
}
