// Certificate building and reading on node-forge's generic ASN.1 layer, never its certificate model,
// which re-encodes UTF-8 attribute values. Names are written as UTF8String so Vietnamese unit names
// survive PKCS#12, NSS and OpenSSL; issuer/serial are always cut from the certificate's own bytes so
// ESSCertIDv2 and IssuerAndSerialNumber match what verifiers compare byte for byte.
import { X509Certificate, createHash, createPublicKey, randomBytes, sign as rsaSign, type KeyObject } from 'node:crypto';
import { anchored } from '../../schemas/codes.js';
import {
  Class, Type, asn1, bitString, bool, bytesOf, certTime, child, children, ctx, ctxBytes, embed, fromForge, is, nul,
  octets, oid, oidOf, parse, parseTime, printable, raw, seq, set, uint, utf8, type Asn1, type Located,
} from './der.js';

export const OID = {
  sha256: '2.16.840.1.101.3.4.2.1',
  rsaEncryption: '1.2.840.113549.1.1.1',
  sha256WithRSA: '1.2.840.113549.1.1.11',
  commonName: '2.5.4.3',
  serialNumber: '2.5.4.5',
  country: '2.5.4.6',
  locality: '2.5.4.7',
  state: '2.5.4.8',
  organization: '2.5.4.10',
  organizationalUnit: '2.5.4.11',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  subjectKeyId: '2.5.29.14',
  authorityKeyId: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  timeStamping: '1.3.6.1.5.5.7.3.8',
} as const;

export interface NameAttr {
  oid: string;
  value: string;
}

export interface CertInfo {
  der: Buffer;
  /** The complete INTEGER TLV, reused verbatim in CMS structures. */
  serialTlv: Buffer;
  issuerDer: Buffer;
  subjectDer: Buffer;
  subject: NameAttr[];
  issuer: NameAttr[];
  notBefore: Date;
  notAfter: Date;
  subjectKeyId: Buffer | null;
  authorityKeyId: Buffer | null;
  isCa: boolean;
}

const sha256WithRsaAlg = (): Asn1 => seq(oid(OID.sha256WithRSA), nul());

function attrValue(node: Asn1): string {
  if (typeof node.value !== 'string') return '';
  if (node.type === Type.UTF8) return Buffer.from(node.value, 'binary').toString('utf8');
  // forge has already turned BMPString (UTF-16BE) into a JS string; every other string type is 8-bit.
  return node.value;
}

const nodes = (node: Asn1): Asn1[] => (Array.isArray(node.value) ? node.value : []);

function parseName(name: Asn1): NameAttr[] {
  const out: NameAttr[] = [];
  for (const rdn of nodes(name)) {
    for (const atv of nodes(rdn)) {
      const [type, value] = nodes(atv);
      if (type?.type === Type.OID && typeof type.value === 'string' && value) {
        out.push({ oid: asn1.derToOid(type.value), value: attrValue(value) });
      }
    }
  }
  return out;
}

// Parsing a certificate in OpenSSL costs more than the RSA check itself; anchors and unit certs repeat.
const x509Cache = new Map<string, X509Certificate>();
export function x509Of(der: Buffer): X509Certificate {
  const key = createHash('sha256').update(der).digest('base64');
  let cert = x509Cache.get(key);
  if (!cert) {
    if (x509Cache.size >= 512) x509Cache.clear();
    cert = new X509Certificate(der);
    x509Cache.set(key, cert);
  }
  return cert;
}

export function nameAttr(attrs: NameAttr[], attrOid: string): string | null {
  return attrs.find((a) => a.oid === attrOid)?.value ?? null;
}

export function parseCertificate(der: Buffer): CertInfo {
  return certificateAt(parse(der));
}

/** Reads a certificate parsed as part of a larger structure (a CMS certificate set). */
export function certificateAt(cert: Located): CertInfo {
  const tbs = child(cert, 0, 'tbsCertificate', Type.SEQUENCE);
  const f = children(tbs);
  // Skip the optional [0] version so the remaining indices are fixed.
  const base = is(f[0], 0, Class.CONTEXT_SPECIFIC) ? 1 : 0;
  const at = (i: number, what: string): Located => {
    const t = f[base + i];
    if (!t) throw new Error(`certificate: missing ${what}`);
    return t;
  };
  const serial = at(0, 'serial');
  const issuer = at(2, 'issuer');
  const validity = at(3, 'validity');
  const subject = at(4, 'subject');
  let subjectKeyId: Buffer | null = null;
  let authorityKeyId: Buffer | null = null;
  let isCa = false;
  const extsWrapper = f.slice(base + 6).find((t) => is(t, 3, Class.CONTEXT_SPECIFIC));
  if (extsWrapper) {
    for (const ext of children(child(extsWrapper, 0, 'extensions', Type.SEQUENCE))) {
      const parts = children(ext);
      const id = is(parts[0], Type.OID) ? oidOf(parts[0]) : '';
      const valueTlv = parts[parts.length - 1];
      if (!valueTlv || !is(valueTlv, Type.OCTETSTRING)) continue;
      if (id !== OID.subjectKeyId && id !== OID.authorityKeyId && id !== OID.basicConstraints) continue;
      const value = parse(bytesOf(valueTlv)).node;
      if (id === OID.subjectKeyId) subjectKeyId = bytesOf(value);
      if (id === OID.authorityKeyId) {
        const keyId = nodes(value).find((c) => c.tagClass === Class.CONTEXT_SPECIFIC && c.type === 0 && !c.constructed);
        if (keyId) authorityKeyId = bytesOf(keyId);
      }
      if (id === OID.basicConstraints) {
        const flag = nodes(value)[0];
        isCa = flag?.type === Type.BOOLEAN && flag.tagClass === Class.UNIVERSAL && bytesOf(flag)[0] !== 0;
      }
    }
  }
  return {
    der: raw(cert),
    serialTlv: raw(serial),
    issuerDer: raw(issuer),
    subjectDer: raw(subject),
    subject: parseName(subject.node),
    issuer: parseName(issuer.node),
    notBefore: parseTime(child(validity, 0, 'notBefore')),
    notAfter: parseTime(child(validity, 1, 'notAfter')),
    subjectKeyId,
    authorityKeyId,
    isCa,
  };
}

/** Display name of a subject: CN, else O. */
export function displayName(attrs: NameAttr[]): string | null {
  return nameAttr(attrs, OID.commonName) ?? nameAttr(attrs, OID.organization);
}

const UNIT_CODE_RE = new RegExp(anchored('unit'));

/** Unit code carried by a certificate subject: the serialNumber attribute, else any OU shaped like a code. */
export function unitCodeOf(attrs: NameAttr[]): string | null {
  const candidates = [nameAttr(attrs, OID.serialNumber), ...attrs.filter((a) => a.oid === OID.organizationalUnit).map((a) => a.value)];
  return candidates.find((c): c is string => c !== null && UNIT_CODE_RE.test(c)) ?? null;
}

// ---------------------------------------------------------------------------------------------
// Building (development PKI and test TSA certificates)

export interface NewName {
  country?: string;
  organization?: string;
  organizationalUnit?: string;
  commonName: string;
  serialNumber?: string;
}

function nameNode(n: NewName): Asn1 {
  const rdn = (attrOid: string, value: Asn1): Asn1 => set(seq(oid(attrOid), value));
  const rdns: Asn1[] = [];
  // countryName and serialNumber are PrintableString by definition (RFC 5280 appendix A).
  if (n.country) rdns.push(rdn(OID.country, printable(n.country)));
  if (n.organization) rdns.push(rdn(OID.organization, utf8(n.organization)));
  if (n.organizationalUnit) rdns.push(rdn(OID.organizationalUnit, utf8(n.organizationalUnit)));
  rdns.push(rdn(OID.commonName, utf8(n.commonName)));
  if (n.serialNumber) rdns.push(rdn(OID.serialNumber, printable(n.serialNumber)));
  return seq(...rdns);
}

function extension(extOid: string, critical: boolean, value: Asn1): Asn1 {
  return seq(oid(extOid), ...(critical ? [bool(true)] : []), octets(fromForge(value)));
}

export function keyIdOf(spkiDer: Buffer): Buffer {
  const bits = child(parse(spkiDer), 1, 'subjectPublicKey', Type.BITSTRING);
  // Skip the unused-bits octet: the key id hashes the key bits only (RFC 5280 4.2.1.2 method 1).
  return createHash('sha1').update(bytesOf(bits).subarray(1)).digest();
}

export interface IssueOptions {
  subject: NewName;
  subjectPublicKey: KeyObject;
  /** Omit for a self-signed CA. */
  issuer?: { cert: CertInfo; key: KeyObject };
  selfKey?: KeyObject;
  kind: 'ca' | 'signer' | 'tsa';
  notBefore: Date;
  notAfter: Date;
}

export function issueCertificate(o: IssueOptions): Buffer {
  const spki = createPublicKey(o.subjectPublicKey).export({ type: 'spki', format: 'der' });
  const ski = keyIdOf(spki);
  const subject = nameNode(o.subject);
  const issuer = o.issuer ? embed(o.issuer.cert.subjectDer, 'the issuer name') : subject;
  // The authority key id must be the issuer's key id; the subject's own would break path building.
  const akid = o.issuer ? (o.issuer.cert.subjectKeyId ?? keyIdOf(createPublicKey(o.issuer.key).export({ type: 'spki', format: 'der' }))) : ski;
  const signingKey = o.issuer?.key ?? o.selfKey;
  if (!signingKey) throw new Error('issueCertificate: no signing key');

  const exts: Asn1[] = [];
  if (o.kind === 'ca') {
    exts.push(extension(OID.basicConstraints, true, seq(bool(true))));
    exts.push(extension(OID.keyUsage, true, bitString(Buffer.from([0x01, 0x06])))); // keyCertSign, cRLSign
  } else {
    exts.push(extension(OID.basicConstraints, true, seq()));
    exts.push(extension(OID.keyUsage, true, bitString(Buffer.from([0x06, 0xc0])))); // digitalSignature, nonRepudiation
    if (o.kind === 'tsa') exts.push(extension(OID.extKeyUsage, true, seq(oid(OID.timeStamping))));
  }
  exts.push(extension(OID.subjectKeyId, false, octets(ski)));
  exts.push(extension(OID.authorityKeyId, false, seq(ctxBytes(0, akid))));

  const serial = randomBytes(16);
  serial[0] = (serial[0] ?? 0) & 0x7f;
  const tbs = seq(
    ctx(0, uint(2)),
    uint(serial),
    sha256WithRsaAlg(),
    issuer,
    seq(certTime(o.notBefore), certTime(o.notAfter)),
    subject,
    embed(spki, 'the public key'),
    ctx(3, seq(...exts)),
  );
  const tbsDer = fromForge(tbs);
  const signature = rsaSign('sha256', tbsDer, signingKey);
  return fromForge(seq(tbs, sha256WithRsaAlg(), bitString(Buffer.concat([Buffer.from([0]), signature]))));
}

export function toPem(der: Buffer, label = 'CERTIFICATE'): string {
  const b64 = der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

export function pemToDers(pem: string, label = 'CERTIFICATE'): Buffer[] {
  const re = new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`, 'g');
  return [...pem.matchAll(re)].map((m) => Buffer.from((m[1] ?? '').replace(/\s+/g, ''), 'base64'));
}
