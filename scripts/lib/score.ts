// Scoring rules of ../shared/corpus/README.md, shared by the tests, the benchmarks and `npm run eval`.

/** Field match: NFC and whitespace folding; names and issuers case-insensitive; dates by their digits. */
export function sameValue(field: string, expected: string, got: string | undefined | null): boolean {
  if (got === undefined || got === null) return false;
  const norm = (v: string): string => {
    let s = v.normalize('NFC').replace(/\s+/g, ' ').trim();
    if (/Name$/.test(field) || field === 'issuer') s = s.toLocaleLowerCase('vi');
    if (/Date$|^dateOf/.test(field)) s = s.replace(/\D/g, '');
    return s;
  };
  return norm(expected) === norm(got);
}
