// Scoring as defined in the corpus README: bag-of-words F1 (lowercased, punctuation dropped,
// so reading order does not matter) and character error rate.

export function words(text: string): string[] {
  return text
    .normalize('NFC')
    .toLowerCase()
    .replace(/[\p{P}\p{S}]/gu, '')
    .split(/\s+/u)
    .filter((w) => w.length > 0);
}

export function wordF1(hypothesis: string, reference: string): number {
  const hyp = words(hypothesis);
  const ref = words(reference);
  if (hyp.length === 0 && ref.length === 0) return 1;
  if (hyp.length === 0 || ref.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const w of ref) counts.set(w, (counts.get(w) ?? 0) + 1);
  let match = 0;
  for (const w of hyp) {
    const c = counts.get(w) ?? 0;
    if (c > 0) {
      match++;
      counts.set(w, c - 1);
    }
  }
  const p = match / hyp.length;
  const r = match / ref.length;
  return p + r === 0 ? 0 : (2 * p * r) / (p + r);
}

function levenshtein(a: string, b: string): number {
  let prev = new Uint32Array(b.length + 1);
  let cur = new Uint32Array(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= b.length; j++) {
      const sub = (prev[j - 1] ?? 0) + (ca === b.charCodeAt(j - 1) ? 0 : 1);
      cur[j] = Math.min(sub, (prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[b.length] ?? 0;
}

/** Character error rate over whitespace-folded text, lines in reading order. */
export function cer(hypothesis: string, reference: string): number {
  const fold = (s: string) => s.normalize('NFC').replace(/\s+/gu, ' ').trim();
  const ref = fold(reference);
  if (ref.length === 0) return hypothesis.trim().length === 0 ? 0 : 1;
  return levenshtein(fold(hypothesis), ref) / ref.length;
}

/** Edits to turn `ref` into some substring of `hyp` (free start and end in `hyp`). */
function substringDistance(ref: string, hyp: string): number {
  let prev = new Uint32Array(hyp.length + 1);
  let cur = new Uint32Array(hyp.length + 1);
  for (let i = 1; i <= ref.length; i++) {
    cur[0] = i;
    const c = ref.charCodeAt(i - 1);
    for (let j = 1; j <= hyp.length; j++) {
      const sub = (prev[j - 1] ?? 0) + (c === hyp.charCodeAt(j - 1) ? 0 : 1);
      cur[j] = Math.min(sub, (prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1);
    }
    [prev, cur] = [cur, prev];
  }
  let best = ref.length;
  for (let j = 0; j <= hyp.length; j++) best = Math.min(best, prev[j] ?? best);
  return best;
}

/**
 * CER with each reference line aligned to the OCR line that contains it best, so a two-column
 * header read in another order, or two printed lines joined into one OCR line, cost nothing (the
 * plain CER above counts them). Substitutions, insertions and deletions inside a line all count.
 */
export function lineCer(hypothesis: string, referenceLines: string[]): number {
  const fold = (s: string) => s.normalize('NFC').replace(/\s+/gu, ' ').trim();
  const hyp = hypothesis.split('\n').map(fold).filter((l) => l.length > 0);
  let dist = 0;
  let total = 0;
  for (const raw of referenceLines) {
    const ref = fold(raw);
    if (ref.length === 0) continue;
    total += ref.length;
    let best = ref.length;
    for (const h of hyp) {
      if (h.length + best <= ref.length) continue;
      best = Math.min(best, substringDistance(ref, h));
      if (best === 0) break;
    }
    dist += best;
  }
  return total === 0 ? 0 : dist / total;
}
