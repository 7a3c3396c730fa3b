// Locates signature dictionaries by their /ByteRange directly in the file bytes. Signature
// dictionaries are never inside compressed object streams (the byte range must be patchable), so a
// byte scan finds every one of them, including those of earlier incremental updates.

export interface FoundSignature {
  byteRange: [number, number, number, number];
  /** Raw text of the enclosing object (up to `endobj`), without the /Contents value. */
  dictText: string;
  /** Offset of the `/ByteRange` key. */
  at: number;
}

const BYTE_RANGE = Buffer.from('/ByteRange', 'latin1');

export function findSignatures(pdf: Uint8Array): FoundSignature[] {
  const buf = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength);
  const out: FoundSignature[] = [];
  for (let at = buf.indexOf(BYTE_RANGE); at >= 0; at = buf.indexOf(BYTE_RANGE, at + BYTE_RANGE.length)) {
    const window = buf.subarray(at, at + 120).toString('latin1');
    const m = /^\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/.exec(window);
    if (!m) continue;
    const byteRange: [number, number, number, number] = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])];
    // The dictionary text: from the object header before /ByteRange to `endobj`, skipping the hex value.
    const objStart = buf.lastIndexOf('obj', at, 'latin1');
    const objEnd = buf.indexOf('endobj', at, 'latin1');
    const from = Math.max(0, objStart);
    const to = objEnd < 0 ? Math.min(buf.length, at + 4096) : objEnd;
    const [, b1, b2] = byteRange;
    const text =
      b1 > from && b1 < to && b2 <= to
        ? buf.subarray(from, b1).toString('latin1') + buf.subarray(b2, to).toString('latin1')
        : buf.subarray(from, Math.min(to, from + 8192)).toString('latin1');
    out.push({ byteRange, dictText: text, at });
  }
  return out;
}

/** True when the PDF carries at least one signature (used by workers to skip re-signing). */
export function isSigned(pdf: Uint8Array): boolean {
  return findSignatures(pdf).length > 0;
}

/** Parses a PDF date (D:YYYYMMDDHHmmSSOHH'mm') into a Date, or null. */
export function parsePdfDate(s: string): Date | null {
  const m = /^D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(Z|[+-])?(\d{2})?'?(\d{2})?'?/.exec(s);
  if (!m) return null;
  const n = (v: string | undefined, d: number): number => (v === undefined ? d : Number(v));
  const utc = Date.UTC(n(m[1], 0), n(m[2], 1) - 1, n(m[3], 1), n(m[4], 0), n(m[5], 0), n(m[6], 0));
  const sign = m[7] === '-' ? -1 : m[7] === '+' ? 1 : 0;
  const offsetMin = sign * (n(m[8], 0) * 60 + n(m[9], 0));
  return new Date(utc - offsetMin * 60_000);
}

export function formatPdfDate(d: Date): string {
  return `D:${d.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
}

/** Value of /M in a signature dictionary text (literal string form). */
export function signingTimeOf(dictText: string): Date | null {
  const m = /\/M\s*\((D:[^)]*)\)/.exec(dictText);
  return m?.[1] ? parsePdfDate(m[1]) : null;
}
