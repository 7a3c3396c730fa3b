// Reading CMS SignedData (RFC 5652) for verification: the PDF signature itself and the RFC 3161
// timestamp token share this code, since a token is a SignedData over a TSTInfo.
import { createHash, verify as cryptoVerify } from 'node:crypto';
import { TAG, child, children, content, decodeOid, raw, readTlv, type Tlv } from './der.js';
import { CMS_OID } from './cms.js';
import { parseCertificate, x509Of, type CertInfo } from './x509.js';

const DIGESTS: Record<string, string> = {
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
  '1.3.14.3.2.26': 'sha1',
};

export interface ParsedSignerInfo {
  sidIssuerSerial: { issuer: Buffer; serial: Buffer } | null;
  sidKeyId: Buffer | null;
  digestAlgorithm: string;
  /** Signed attributes re-tagged as a universal SET, i.e. the bytes the signature covers. */
  signedAttrsSet: Buffer | null;
  signedAttrs: Map<string, Tlv>;
  unsignedAttrs: Map<string, Tlv>;
  signature: Buffer;
}

export interface ParsedSignedData {
  certs: CertInfo[];
  signer: ParsedSignerInfo;
  eContentType: string;
  eContent: Buffer | null;
}

function attributes(t: Tlv): Map<string, Tlv> {
  const map = new Map<string, Tlv>();
  for (const attr of children(t)) {
    const type = child(attr, 0, 'attribute type', TAG.OID);
    const values = child(attr, 1, 'attribute values', TAG.SET);
    const first = children(values)[0];
    if (first) map.set(decodeOid(content(type)), first);
  }
  return map;
}

export function digestName(algOid: string): string {
  const name = DIGESTS[algOid];
  if (!name) throw new Error(`unsupported digest algorithm ${algOid}`);
  return name;
}

export function parseSignedData(der: Buffer): ParsedSignedData {
  const ci = readTlv(der);
  if (ci.tag !== TAG.SEQUENCE) throw new Error('not a CMS ContentInfo');
  const type = decodeOid(content(child(ci, 0, 'contentType', TAG.OID)));
  if (type !== CMS_OID.signedData) throw new Error('CMS is not SignedData');
  const sd = child(child(ci, 1, 'content', 0xa0), 0, 'SignedData', TAG.SEQUENCE);
  const parts = children(sd);
  const encap = parts[2];
  if (!encap) throw new Error('CMS has no encapsulated content info');
  const eContentType = decodeOid(content(child(encap, 0, 'eContentType', TAG.OID)));
  const eWrapper = children(encap)[1];
  const eContent = eWrapper ? Buffer.from(content(child(eWrapper, 0, 'eContent', TAG.OCTET_STRING))) : null;
  const certs: CertInfo[] = [];
  const certSet = parts.find((p) => p.tag === 0xa0);
  if (certSet) for (const c of children(certSet)) if (c.tag === TAG.SEQUENCE) certs.push(parseCertificate(Buffer.from(raw(c))));
  const signerInfos = parts[parts.length - 1];
  if (!signerInfos || signerInfos.tag !== TAG.SET) throw new Error('CMS has no signer infos');
  const si = children(signerInfos)[0];
  if (!si) throw new Error('CMS has no signer');
  const f = children(si);
  const sid = f[1];
  const digestAlg = f[2];
  if (!sid || !digestAlg) throw new Error('signer info incomplete');
  let i = 3;
  let signedAttrsSet: Buffer | null = null;
  let signedAttrs = new Map<string, Tlv>();
  if (f[i]?.tag === 0xa0) {
    const t = f[i] as Tlv;
    signedAttrsSet = Buffer.from(raw(t));
    signedAttrsSet[0] = TAG.SET;
    signedAttrs = attributes(t);
    i++;
  }
  i++; // signatureAlgorithm: the key type of the certificate decides how to verify.
  const sigTlv = f[i];
  if (!sigTlv || sigTlv.tag !== TAG.OCTET_STRING) throw new Error('signer info has no signature');
  const unsignedTlv = f[i + 1];
  return {
    certs,
    eContentType,
    eContent,
    signer: {
      sidIssuerSerial:
        sid.tag === TAG.SEQUENCE
          ? { issuer: Buffer.from(raw(child(sid, 0, 'issuer'))), serial: Buffer.from(raw(child(sid, 1, 'serial'))) }
          : null,
      sidKeyId: sid.tag === 0x80 ? Buffer.from(content(sid)) : null,
      digestAlgorithm: digestName(decodeOid(content(child(digestAlg, 0, 'digest OID', TAG.OID)))),
      signedAttrsSet,
      signedAttrs,
      unsignedAttrs: unsignedTlv?.tag === 0xa1 ? attributes(unsignedTlv) : new Map(),
      signature: Buffer.from(content(sigTlv)),
    },
  };
}

export function findSignerCert(sd: ParsedSignedData): CertInfo | null {
  const { sidIssuerSerial, sidKeyId } = sd.signer;
  return (
    sd.certs.find((c) =>
      sidIssuerSerial
        ? c.issuerDer.equals(sidIssuerSerial.issuer) && c.serialTlv.equals(sidIssuerSerial.serial)
        : sidKeyId !== null && c.subjectKeyId?.equals(sidKeyId) === true,
    ) ?? null
  );
}

/**
 * Checks that the signed attributes bind `contentDigest` and that the signature over them verifies
 * with `cert`. Returns null when both hold, otherwise a reason.
 */
export function checkSignerInfo(sd: ParsedSignedData, cert: CertInfo, contentDigest: Buffer): string | null {
  const s = sd.signer;
  if (!s.signedAttrsSet) return 'the signature has no signed attributes';
  const md = s.signedAttrs.get(CMS_OID.messageDigest);
  if (!md || !content(md).equals(contentDigest)) return 'the signed bytes were changed after signing (digest mismatch)';
  const ct = s.signedAttrs.get(CMS_OID.contentType);
  if (!ct || decodeOid(content(ct)) !== sd.eContentType) return 'the content-type attribute is missing or wrong';
  const key = x509Of(cert.der).publicKey;
  let ok = false;
  try {
    ok = cryptoVerify(s.digestAlgorithm, s.signedAttrsSet, key, s.signature);
  } catch {
    ok = false;
  }
  return ok ? null : "the signature value does not match the signer's certificate";
}

/** ESSCertIDv2 (RFC 5035) must name the certificate that actually signed. */
export function checkSigningCertificateV2(sd: ParsedSignedData, cert: CertInfo): string | null {
  const attr = sd.signer.signedAttrs.get(CMS_OID.signingCertificateV2);
  if (!attr) return null;
  const firstId = child(child(attr, 0, 'certs', TAG.SEQUENCE), 0, 'ESSCertIDv2', TAG.SEQUENCE);
  const f = children(firstId);
  let alg = 'sha256';
  let idx = 0;
  if (f[0]?.tag === TAG.SEQUENCE) {
    alg = digestName(decodeOid(content(child(f[0], 0, 'hash OID', TAG.OID))));
    idx = 1;
  }
  const hash = f[idx];
  if (!hash || hash.tag !== TAG.OCTET_STRING) return 'the signing-certificate-v2 attribute is malformed';
  return content(hash).equals(createHash(alg).update(cert.der).digest())
    ? null
    : 'the signing-certificate-v2 attribute names a different certificate';
}
