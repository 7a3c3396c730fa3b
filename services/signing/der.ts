// Glue between Node Buffers and node-forge's generic ASN.1 layer. Encoding and decoding are forge's;
// what lives here is the few things its object model does not give us: exact byte spans of parsed
// elements (signatures and hashes cover the input's bytes, which a re-encoding may not reproduce),
// DER ordering of SET OF, and BIT STRINGs left undecoded.
import forge from 'node-forge';

export const asn1 = forge.asn1;
export type Asn1 = forge.asn1.Asn1;
export const { Class, Type } = forge.asn1;

interface FromDerOptions {
  strict?: boolean;
  parseAllBytes?: boolean;
  decodeBitStrings?: boolean;
}
// @types/node-forge only declares the boolean form of the options and omits getBerValueLength.
const fromDer = forge.asn1.fromDer as unknown as (bytes: string | forge.util.ByteStringBuffer, options: FromDerOptions) => Asn1;
const getBerValueLength = (forge.asn1 as unknown as { getBerValueLength(b: forge.util.ByteStringBuffer): number | undefined })
  .getBerValueLength;

export const toForge = (buf: Buffer): string => buf.toString('binary');
export const fromForge = (node: Asn1): Buffer => Buffer.from(asn1.toDer(node).getBytes(), 'binary');

// ---------------------------------------------------------------------------------------------
// Building

const U = Class.UNIVERSAL;
export const seq = (...items: Asn1[]): Asn1 => asn1.create(U, Type.SEQUENCE, true, items);
/** A SET holding a single value, or values whose order is already fixed. */
export const set = (...items: Asn1[]): Asn1 => asn1.create(U, Type.SET, true, items);
/** Context-specific constructed tag [n]. */
export const ctx = (n: number, ...items: Asn1[]): Asn1 => asn1.create(Class.CONTEXT_SPECIFIC, n, true, items);
/** Context-specific primitive tag [n] (IMPLICIT over an OCTET STRING-like value). */
export const ctxBytes = (n: number, bytes: Buffer): Asn1 => asn1.create(Class.CONTEXT_SPECIFIC, n, false, toForge(bytes));
export const oid = (dotted: string): Asn1 => asn1.create(U, Type.OID, false, asn1.oidToDer(dotted).getBytes());
export const octets = (bytes: Buffer): Asn1 => asn1.create(U, Type.OCTETSTRING, false, toForge(bytes));
export const bitString = (bytes: Buffer): Asn1 => asn1.create(U, Type.BITSTRING, false, toForge(bytes));
export const bool = (v: boolean): Asn1 => asn1.create(U, Type.BOOLEAN, false, v ? '\xff' : '\x00');
export const nul = (): Asn1 => asn1.create(U, Type.NULL, false, '');
// forge's value strings are binary (one char per byte), so text is UTF-8 encoded before it goes in.
export const utf8 = (s: string): Asn1 => asn1.create(U, Type.UTF8, false, Buffer.from(s, 'utf8').toString('binary'));
export const printable = (s: string): Asn1 => asn1.create(U, Type.PRINTABLESTRING, false, s);

/** DER SET OF: members sorted by their encodings (X.690 11.6), which signed attributes require. */
export function setOf(...items: Asn1[]): Asn1 {
  // Binary strings compare code unit by code unit, i.e. byte by byte, shorter prefix first.
  const keyed = items.map((node) => ({ node, der: asn1.toDer(node).getBytes() }));
  keyed.sort((a, b) => (a.der < b.der ? -1 : a.der > b.der ? 1 : 0));
  return set(...keyed.map((k) => k.node));
}

/** Non-negative INTEGER from unsigned big-endian bytes (serials and nonces are random bytes). */
export function uint(bytes: Buffer | number): Asn1 {
  if (typeof bytes === 'number') return asn1.create(U, Type.INTEGER, false, asn1.integerToDer(bytes).getBytes());
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  const magnitude = bytes.subarray(i);
  // A set top bit would read as negative; toDer keeps this single zero because the next byte needs it.
  const value = (magnitude[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), magnitude]) : magnitude;
  return asn1.create(U, Type.INTEGER, false, toForge(value));
}

/** RFC 5280 4.1.2.5: UTCTime through 2049, GeneralizedTime after. */
export function certTime(d: Date): Asn1 {
  return d.getUTCFullYear() >= 2050
    ? asn1.create(U, Type.GENERALIZEDTIME, false, asn1.dateToGeneralizedTime(d))
    : asn1.create(U, Type.UTCTIME, false, asn1.dateToUtcTime(d));
}

/**
 * A complete element given as DER, for embedding in a tree that toDer will write out. Certificates are
 * embedded this way and must come back unchanged (their signature and ESSCertIDv2 cover them), but
 * toDer normalises what DER forbids, e.g. an INTEGER with a redundant leading byte, so the round trip
 * is checked rather than assumed.
 */
export function embed(der: Buffer, what: string): Asn1 {
  const bin = toForge(der);
  const node = fromDer(bin, { parseAllBytes: true, decodeBitStrings: false });
  if (asn1.toDer(node).getBytes() !== bin) throw new Error(`${what} is not DER-encoded and cannot be embedded unchanged`);
  return node;
}

// ---------------------------------------------------------------------------------------------
// Reading

/** A parsed element with the exact span it occupies in the input (`end` exclusive). */
export interface Located {
  node: Asn1;
  start: number;
  end: number;
  /** The whole input as a forge binary string; spans index into it and into the original Buffer alike. */
  bin: string;
}

/**
 * Parses the element at the start of `der`. Trailing bytes are allowed only with `trailing: true`
 * (a PDF /Contents is zero-padded after the CMS). BIT STRINGs stay opaque: forge would otherwise try
 * to read key and signature bits as ASN.1.
 */
export function parse(der: Buffer, opts: { trailing?: boolean } = {}): Located {
  const bin = toForge(der);
  const b = forge.util.createBuffer(bin);
  const node = fromDer(b, { strict: true, parseAllBytes: !opts.trailing, decodeBitStrings: false });
  return { node, start: 0, end: b.read, bin };
}

/**
 * The children of a constructed element with their spans. forge keeps no offsets, so each child's
 * header is re-read with forge's own length decoder to step over it; the nodes are forge's.
 */
export function children(parent: Located): Located[] {
  const kids = parent.node.value;
  if (!Array.isArray(kids)) throw new Error('DER: expected a constructed element');
  const b = forge.util.createBuffer(parent.bin);
  b.read = parent.start + 1;
  if (getBerValueLength(b) === undefined) throw new Error('DER: indefinite lengths are not DER');
  return kids.map((node) => {
    const start = b.read;
    b.read = start + 1;
    const len = getBerValueLength(b);
    if (len === undefined) throw new Error('DER: indefinite lengths are not DER');
    b.read += len;
    if (b.read > parent.end) throw new Error('DER: child overruns parent');
    return { node, start, end: b.read, bin: parent.bin };
  });
}

/** The i-th child, or a thrown error naming what was expected (keeps parsers free of undefined checks). */
export function child(parent: Located, i: number, what: string, type?: forge.asn1.Type, tagClass = Class.UNIVERSAL): Located {
  const c = children(parent)[i];
  if (!c || (type !== undefined && (c.node.type !== type || c.node.tagClass !== tagClass))) throw new Error(`DER: missing ${what}`);
  return c;
}

export function is(l: Located | undefined, type: forge.asn1.Type, tagClass = Class.UNIVERSAL): l is Located {
  return l !== undefined && l.node.type === type && l.node.tagClass === tagClass;
}

/** The input's own bytes of an element, header included. */
export const raw = (l: Located): Buffer => Buffer.from(l.bin.slice(l.start, l.end), 'binary');

/** Content bytes of a primitive element, as parsed (forge keeps them verbatim, BMPString aside). */
export function bytesOf(l: Located | Asn1): Buffer {
  const node = 'node' in l ? l.node : l;
  if (typeof node.value !== 'string') throw new Error('DER: expected a primitive element');
  return Buffer.from(node.value, 'binary');
}

export function oidOf(l: Located): string {
  if (l.node.type !== Type.OID || typeof l.node.value !== 'string') throw new Error('DER: expected an OID');
  return asn1.derToOid(l.node.value);
}

export function parseTime(l: Located): Date {
  const v = l.node.value;
  if (typeof v !== 'string') throw new Error('DER: expected a time');
  let d: Date;
  if (l.node.type === Type.UTCTIME) d = asn1.utcTimeToDate(v);
  // Without a zone forge would read local time; DER times are always UTC (X.690 11.7, 11.8).
  else if (l.node.type === Type.GENERALIZEDTIME && v.endsWith('Z')) d = asn1.generalizedTimeToDate(v);
  else throw new Error(`DER: unsupported time ${v}`);
  if (Number.isNaN(d.getTime())) throw new Error(`DER: unsupported time ${v}`);
  return d;
}
