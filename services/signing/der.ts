// A minimal DER encoder/decoder working on raw Buffers. CMS and certificate fields are built and read
// byte-exact here because round-tripping names through node-forge's object model re-encodes UTF-8
// (Vietnamese) attribute values and silently changes the signed bytes.

export interface Tlv {
  tag: number;
  /** Offset of the tag byte inside `buf`. */
  start: number;
  /** Offset of the first content byte. */
  contentStart: number;
  /** Offset just past the last content byte. */
  end: number;
  buf: Buffer;
}

export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  BMP_STRING: 0x1e,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

function encodeLength(len: number): Buffer {
  if (len < 0x80) return Buffer.from([len]);
  const bytes: number[] = [];
  for (let n = len; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export function tlv(tag: number, ...contents: Buffer[]): Buffer {
  const body = Buffer.concat(contents);
  return Buffer.concat([Buffer.from([tag]), encodeLength(body.length), body]);
}

export const seq = (...items: Buffer[]): Buffer => tlv(TAG.SEQUENCE, ...items);

/** DER SET OF: members sorted by their encodings (X.690 11.6), which signed attributes require. */
export function setOf(...items: Buffer[]): Buffer {
  return tlv(TAG.SET, ...[...items].sort(Buffer.compare));
}

/** Context-specific constructed tag [n]. */
export const ctx = (n: number, ...items: Buffer[]): Buffer => tlv(0xa0 | n, ...items);

export function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const [a, b, ...rest] = parts;
  if (a === undefined || b === undefined) throw new Error(`bad OID ${dotted}`);
  const out: number[] = [a * 40 + b];
  for (const p of rest) {
    const chunk: number[] = [p & 0x7f];
    for (let n = Math.floor(p / 128); n > 0; n = Math.floor(n / 128)) chunk.unshift(0x80 | (n & 0x7f));
    out.push(...chunk);
  }
  return tlv(TAG.OID, Buffer.from(out));
}

export function decodeOid(content: Buffer): string {
  const first = content[0] ?? 0;
  const parts = [Math.floor(first / 40), first % 40];
  let acc = 0;
  for (let i = 1; i < content.length; i++) {
    const byte = content[i] ?? 0;
    acc = acc * 128 + (byte & 0x7f);
    if ((byte & 0x80) === 0) {
      parts.push(acc);
      acc = 0;
    }
  }
  return parts.join('.');
}

/** Non-negative INTEGER from unsigned big-endian bytes. */
export function uint(bytes: Buffer | number): Buffer {
  let b = typeof bytes === 'number' ? Buffer.from([bytes]) : bytes;
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  b = b.subarray(i);
  if ((b[0] ?? 0) & 0x80) b = Buffer.concat([Buffer.from([0]), b]);
  return tlv(TAG.INTEGER, b);
}

export const octets = (b: Buffer): Buffer => tlv(TAG.OCTET_STRING, b);
export const utf8 = (s: string): Buffer => tlv(TAG.UTF8_STRING, Buffer.from(s, 'utf8'));
export const printable = (s: string): Buffer => tlv(TAG.PRINTABLE_STRING, Buffer.from(s, 'latin1'));
export const NULL = Buffer.from([0x05, 0x00]);

export function generalizedTime(d: Date): Buffer {
  const s = d.toISOString().replace(/[-:T]/g, '').replace(/\.\d+Z$/, 'Z');
  return tlv(TAG.GENERALIZED_TIME, Buffer.from(s, 'latin1'));
}

/** RFC 5280 4.1.2.5: UTCTime through 2049, GeneralizedTime after. */
export function certTime(d: Date): Buffer {
  if (d.getUTCFullYear() >= 2050) return generalizedTime(d);
  const s = d.toISOString().slice(2).replace(/[-:T]/g, '').replace(/\.\d+Z$/, 'Z');
  return tlv(TAG.UTC_TIME, Buffer.from(s, 'latin1'));
}

export function readTlv(buf: Buffer, start = 0): Tlv {
  if (start + 2 > buf.length) throw new Error('DER: truncated');
  const tag = buf[start] ?? 0;
  if ((tag & 0x1f) === 0x1f) throw new Error('DER: high tag numbers unsupported');
  let pos = start + 1;
  const first = buf[pos++] ?? 0;
  let len = first;
  if (first & 0x80) {
    const n = first & 0x7f;
    if (n === 0 || n > 4) throw new Error('DER: unsupported length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + (buf[pos++] ?? 0);
  }
  const end = pos + len;
  if (end > buf.length) throw new Error('DER: truncated');
  return { tag, start, contentStart: pos, end, buf };
}

export function children(t: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let pos = t.contentStart; pos < t.end; ) {
    const c = readTlv(t.buf, pos);
    if (c.end > t.end) throw new Error('DER: child overruns parent');
    out.push(c);
    pos = c.end;
  }
  return out;
}

export const raw = (t: Tlv): Buffer => t.buf.subarray(t.start, t.end);
export const content = (t: Tlv): Buffer => t.buf.subarray(t.contentStart, t.end);

/** The i-th child, or a thrown error naming what was expected (keeps parsers free of undefined checks). */
export function child(t: Tlv, i: number, what: string, tag?: number): Tlv {
  const c = children(t)[i];
  if (!c || (tag !== undefined && c.tag !== tag)) throw new Error(`DER: missing ${what}`);
  return c;
}

export function parseTime(t: Tlv): Date {
  const s = content(t).toString('latin1');
  const yearDigits = t.tag === TAG.UTC_TIME ? 2 : 4;
  const m = new RegExp(`^(\\d{${yearDigits}})(\\d{2})(\\d{2})(\\d{2})(\\d{2})(\\d{2})?(?:\\.\\d+)?Z$`).exec(s);
  if (!m) throw new Error(`DER: unsupported time ${s}`);
  let year = Number(m[1]);
  if (t.tag === TAG.UTC_TIME) year += year < 50 ? 2000 : 1900;
  return new Date(Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0)));
}
