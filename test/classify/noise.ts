// Deterministic OCR-like damage for robustness tests: marks lost on capitals, NGUYỄN read as
// NGUYÊN, 0/1 read as O/l inside numbers, colons dropped, doubled spaces.
export function makeNoise(seed: number): (lines: readonly string[]) => string {
  let state = seed;
  const rnd = (): number => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  const strip = (w: string): string => w.normalize('NFD').replace(/[\u0300-\u036f]/g, '').normalize('NFC');
  return (lines) =>
    lines
      .map((l) => {
        let s = l.replace(/NGUYỄN/g, 'NGUYÊN');
        s = s.replace(/\b[\p{Lu}]{2,}\b/gu, (w) => (rnd() < 0.15 ? strip(w) : w));
        s = s.replace(/\d+/g, (d) => d.replace(/[01]/g, (c) => (rnd() < 0.08 ? (c === '0' ? 'O' : 'l') : c)));
        if (rnd() < 0.15) s = s.replace(':', '');
        if (rnd() < 0.1) s = s.replace(/ /, '  ');
        return s;
      })
      .join('\n');
}
