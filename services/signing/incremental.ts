// Writes changed and new objects as a PDF incremental update (ISO 32000-1 7.5.6) so earlier bytes,
// including earlier signatures, stay exactly as they were. The cross-reference section follows the
// style of the previous one: a classic table after a table, an uncompressed xref stream after a stream.
import type { PDFObject, PDFRef } from 'pdf-lib';

const enc = (s: string): Buffer => Buffer.from(s, 'latin1');

export type XrefStyle = 'table' | 'stream';

/** Offset named by the last `startxref`, with the kind of section found there, or null if it is broken. */
export function previousXref(pdf: Buffer): { offset: number; style: XrefStyle } | null {
  const tail = pdf.subarray(Math.max(0, pdf.length - 2048)).toString('latin1');
  const matches = [...tail.matchAll(/startxref\s+(\d+)\s+%%EOF/g)];
  const last = matches[matches.length - 1];
  if (!last?.[1]) return null;
  const offset = Number(last[1]);
  if (offset <= 0 || offset >= pdf.length) return null;
  const at = pdf.subarray(offset, offset + 32).toString('latin1');
  if (at.startsWith('xref')) return { offset, style: 'table' };
  if (/^\d+\s+\d+\s+obj/.test(at)) return { offset, style: 'stream' };
  return null;
}

/** The /Size of the previous cross-reference section: new objects must be numbered at or above it. */
export function previousSize(pdf: Buffer, prevOffset: number): number {
  const m = /\/Size\s+(\d+)/.exec(pdf.subarray(prevOffset).toString('latin1'));
  return m?.[1] ? Number(m[1]) : 0;
}

export interface RawObject {
  objectNumber: number;
  /** Serialized object body (between `N 0 obj` and `endobj`). */
  body: Buffer;
}

export function serializeObject(obj: PDFObject): Buffer {
  const buf = new Uint8Array(obj.sizeInBytes());
  obj.copyBytesInto(buf, 0);
  return Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
}

export interface TrailerRefs {
  root: PDFRef;
  info?: PDFObject;
  id?: PDFObject;
}

export interface Update {
  bytes: Buffer;
  /** Absolute offset of each appended object in `bytes`. */
  offsets: Map<number, number>;
}

function runs(numbers: number[]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const n of numbers) {
    const last = out[out.length - 1];
    if (last && last[0] + last[1] === n) last[1]++;
    else out.push([n, 1]);
  }
  return out;
}

export function appendUpdate(
  base: Buffer,
  objects: RawObject[],
  prev: { offset: number; style: XrefStyle },
  trailer: TrailerRefs,
  xrefStreamNumber: number,
): Update {
  const chunks: Buffer[] = [base];
  let pos = base.length;
  const push = (b: Buffer): void => {
    chunks.push(b);
    pos += b.length;
  };
  if (base[base.length - 1] !== 0x0a) push(enc('\n'));
  const offsets = new Map<number, number>();
  const sorted = [...objects].sort((a, b) => a.objectNumber - b.objectNumber);
  for (const o of sorted) {
    offsets.set(o.objectNumber, pos);
    push(Buffer.concat([enc(`${o.objectNumber} 0 obj\n`), o.body, enc('\nendobj\n')]));
  }
  const common = [
    `/Root ${trailer.root.toString()}`,
    trailer.info ? `/Info ${trailer.info.toString()}` : '',
    trailer.id ? `/ID ${trailer.id.toString()}` : '',
    `/Prev ${prev.offset}`,
  ].filter(Boolean).join(' ');

  const xrefAt = pos;
  if (prev.style === 'table') {
    const numbers = sorted.map((o) => o.objectNumber);
    const size = Math.max(...numbers) + 1;
    let text = 'xref\n';
    for (const [start, count] of runs(numbers)) {
      text += `${start} ${count}\n`;
      for (let n = start; n < start + count; n++) text += `${String(offsets.get(n)).padStart(10, '0')} 00000 n \n`;
    }
    text += `trailer\n<< /Size ${size} ${common} >>\nstartxref\n${xrefAt}\n%%EOF\n`;
    push(enc(text));
  } else {
    offsets.set(xrefStreamNumber, xrefAt);
    const numbers = [...sorted.map((o) => o.objectNumber), xrefStreamNumber].sort((a, b) => a - b);
    const size = Math.max(...numbers) + 1;
    const rows = Buffer.alloc(numbers.length * 7);
    numbers.forEach((n, i) => {
      rows.writeUInt8(1, i * 7);
      rows.writeUInt32BE(offsets.get(n) ?? 0, i * 7 + 1);
      rows.writeUInt16BE(0, i * 7 + 5);
    });
    const index = runs(numbers).map(([s, c]) => `${s} ${c}`).join(' ');
    push(
      Buffer.concat([
        enc(`${xrefStreamNumber} 0 obj\n<< /Type /XRef /Size ${size} /Index [${index}] /W [1 4 2] ${common} /Length ${rows.length} >>\nstream\n`),
        rows,
        enc(`\nendstream\nendobj\nstartxref\n${xrefAt}\n%%EOF\n`),
      ]),
    );
  }
  return { bytes: Buffer.concat(chunks, pos), offsets };
}
