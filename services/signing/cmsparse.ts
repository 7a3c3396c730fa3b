// Reading CMS SignedData (RFC 5652) for verification: the PDF signature itself and the RFC 3161
// timestamp token share this code, since a token is a SignedData over a TSTInfo.
import { createHash, verify as cryptoVerify } from 'node:crypto';
import { Class, Type, bytesOf, child, children, is, oidOf, parse, raw, type Located } from './der.js';
import { CMS_OID } from './cms.js';
import { certificateAt, x509Of, type CertInfo } from './x509.js';

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
  signedAttrs: Map<string, Located>;
  unsignedAttrs: Map<string, Located>;
  signature: Buffer;
}

export interface ParsedSignedData {
  certs: CertInfo[];
  signer: ParsedSignerInfo;
  eContentType: string;
  eContent: Buffer | null;
}

function attributes(t: Located): Map<string, Located> {
  const map = new Map<string, Located>();
  for (const attr of children(t)) {
    const type = child(attr, 0, 'attribute type', Type.OID);
    const values = child(attr, 1, 'attribute values', Type.SET);
    const first = children(values)[0];
    if (first) map.set(oidOf(type), first);
  }
  return map;
}

export function digestName(algOid: string): string {
  const name = DIGESTS[algOid];
  if (!name) throw new Error(`unsupported digest algorithm ${algOid}`);
  return name;
}

/** Parses a ContentInfo holding SignedData; bytes after it are ignored (/Contents is zero-padded). */
export function parseSignedData(der: Buffer): ParsedSignedData {
  return signedDataAt(parse(der, { trailing: true }));
}

/**
 * Every byte string that is later hashed or verified (certificates, signed attributes, issuer and
 * serial) is cut from the input by span, never re-encoded: a signer's encoder may have written
 * something forge's toDer would normalise.
 */
export function signedDataAt(ci: Located): ParsedSignedData {
  if (!is(ci, Type.SEQUENCE)) throw new Error('not a CMS ContentInfo');
  const type = oidOf(child(ci, 0, 'contentType', Type.OID));
  if (type !== CMS_OID.signedData) throw new Error('CMS is not SignedData');
  const sd = child(child(ci, 1, 'content', 0, Class.CONTEXT_SPECIFIC), 0, 'SignedData', Type.SEQUENCE);
  const parts = children(sd);
  const encap = parts[2];
  if (!encap) throw new Error('CMS has no encapsulated content info');
  const eContentType = oidOf(child(encap, 0, 'eContentType', Type.OID));
  const eWrapper = children(encap)[1];
  const eContent = eWrapper ? bytesOf(child(eWrapper, 0, 'eContent', Type.OCTETSTRING)) : null;
  const certs: CertInfo[] = [];
  const certSet = parts.find((p) => is(p, 0, Class.CONTEXT_SPECIFIC));
  if (certSet) for (const c of children(certSet)) if (is(c, Type.SEQUENCE)) certs.push(certificateAt(c));
  const signerInfos = parts[parts.length - 1];
  if (!is(signerInfos, Type.SET)) throw new Error('CMS has no signer infos');
  const si = children(signerInfos)[0];
  if (!si) throw new Error('CMS has no signer');
  const f = children(si);
  const sid = f[1];
  const digestAlg = f[2];
  if (!sid || !digestAlg) throw new Error('signer info incomplete');
  let i = 3;
  let signedAttrsSet: Buffer | null = null;
  let signedAttrs = new Map<string, Located>();
  const attrsTlv = f[i];
  if (is(attrsTlv, 0, Class.CONTEXT_SPECIFIC)) {
    signedAttrsSet = raw(attrsTlv);
    // The signature covers the universal SET tag (RFC 5652 5.4), not the [0] IMPLICIT one sent.
    signedAttrsSet[0] = 0x31;
    signedAttrs = attributes(attrsTlv);
    i++;
  }
  i++; // signatureAlgorithm: the key type of the certificate decides how to verify.
  const sigTlv = f[i];
  if (!is(sigTlv, Type.OCTETSTRING)) throw new Error('signer info has no signature');
  const unsignedTlv = f[i + 1];
  return {
    certs,
    eContentType,
    eContent,
    signer: {
      sidIssuerSerial: is(sid, Type.SEQUENCE)
        ? { issuer: raw(child(sid, 0, 'issuer')), serial: raw(child(sid, 1, 'serial')) }
        : null,
      sidKeyId: is(sid, 0, Class.CONTEXT_SPECIFIC) ? bytesOf(sid) : null,
      digestAlgorithm: digestName(oidOf(child(digestAlg, 0, 'digest OID', Type.OID))),
      signedAttrsSet,
      signedAttrs,
      unsignedAttrs: is(unsignedTlv, 1, Class.CONTEXT_SPECIFIC) ? attributes(unsignedTlv) : new Map(),
      signature: bytesOf(sigTlv),
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
  if (!md || !is(md, Type.OCTETSTRING) || !bytesOf(md).equals(contentDigest)) return 'the signed bytes were changed after signing (digest mismatch)';
  const ct = s.signedAttrs.get(CMS_OID.contentType);
  if (!ct || !is(ct, Type.OID) || oidOf(ct) !== sd.eContentType) return 'the content-type attribute is missing or wrong';
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
  const firstId = child(child(attr, 0, 'certs', Type.SEQUENCE), 0, 'ESSCertIDv2', Type.SEQUENCE);
  const f = children(firstId);
  let alg = 'sha256';
  let idx = 0;
  if (is(f[0], Type.SEQUENCE)) {
    alg = digestName(oidOf(child(f[0], 0, 'hash OID', Type.OID)));
    idx = 1;
  }
  const hash = f[idx];
  if (!is(hash, Type.OCTETSTRING)) return 'the signing-certificate-v2 attribute is malformed';
  return bytesOf(hash).equals(createHash(alg).update(cert.der).digest())
    ? null
    : 'the signing-certificate-v2 attribute names a different certificate';
}
