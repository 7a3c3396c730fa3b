// CAdES-detached CMS SignedData (RFC 5652) for PAdES B-B: signed attributes are exactly
// content-type, message-digest and signing-certificate-v2 (RFC 5035). PAdES forbids signing-time
// in the CMS; the claimed time lives in the signature dictionary's /M instead.
import { createHash } from 'node:crypto';
import { Class, Type, asn1, ctx, embed, fromForge, nul, octets, oid, seq, set, setOf, uint, type Asn1 } from './der.js';
import { AppError } from '../errors.js';
import type { Signer } from './types.js';
import { OID } from './x509.js';

export const CMS_OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  signatureTimeStampToken: '1.2.840.113549.1.9.16.2.14',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
} as const;

const sha256Alg = (): Asn1 => seq(oid(OID.sha256));
const attribute = (attrOid: string, value: Asn1): Asn1 => seq(oid(attrOid), set(value));

/** The signer's certificates as forge nodes, leaf first, with the leaf's issuer and serial nodes. */
function signerCerts(signer: Signer): { chain: Asn1[]; issuer: Asn1; serial: Asn1 } {
  const chain = signer.certificateChainDer.map((der, i) => embed(der, `certificate ${i} of ${signer.unitCode}`));
  const leaf = chain[0];
  const tbs = leaf && Array.isArray(leaf.value) ? leaf.value[0] : undefined;
  const f = tbs && Array.isArray(tbs.value) ? tbs.value : [];
  // Skip the optional [0] version; serial and issuer then sit at fixed places.
  const base = f[0]?.tagClass === Class.CONTEXT_SPECIFIC ? 1 : 0;
  const serial = f[base];
  const issuer = f[base + 2];
  if (serial?.type !== Type.INTEGER || issuer?.type !== Type.SEQUENCE) throw new Error('signer has no usable certificate');
  // embed() proved these nodes re-encode to the certificate's own bytes, so verifiers comparing
  // IssuerAndSerialNumber or ESSCertIDv2 byte for byte see exactly what is in the certificate.
  return { chain, issuer, serial };
}

export interface CmsParts {
  signedAttrsSet: Buffer;
  signature: Buffer;
}

/** Builds and signs the signed attributes for a document digest. */
export async function signAttributes(digest: Buffer, signer: Signer): Promise<CmsParts> {
  const leafDer = signer.certificateChainDer[0];
  if (!leafDer) throw new Error('signer has no certificate');
  const { issuer, serial } = signerCerts(signer);
  // ESSCertIDv2 with the default hash (SHA-256) omits hashAlgorithm; issuer is a GeneralName [4] directoryName.
  const essCertIdV2 = seq(octets(createHash('sha256').update(leafDer).digest()), seq(seq(ctx(4, issuer)), serial));
  const signedAttrs = setOf(
    attribute(CMS_OID.contentType, oid(CMS_OID.data)),
    attribute(CMS_OID.messageDigest, octets(digest)),
    attribute(CMS_OID.signingCertificateV2, seq(seq(essCertIdV2))),
  );
  // The signature covers the attributes encoded as a universal SET (RFC 5652 5.4).
  const signedAttrsSet = fromForge(signedAttrs);
  let signature: Buffer;
  try {
    signature = await signer.sign(signedAttrsSet);
  } catch {
    // A key provider's own message may describe the key or its PIN; it is not passed on.
    throw new AppError('SIGNING_FAILED', `the signing key of ${signer.unitCode} could not sign`);
  }
  return { signedAttrsSet, signature };
}

export function assembleCms(parts: CmsParts, signer: Signer, timestampToken?: Buffer): Buffer {
  const { chain, issuer, serial } = signerCerts(signer);
  // Signed attributes travel as [0] IMPLICIT: the SET that was signed, re-tagged.
  const signedAttrs = embed(parts.signedAttrsSet, 'the signed attributes');
  const signedAttrsImplicit = asn1.create(Class.CONTEXT_SPECIFIC, 0, true, signedAttrs.value);
  const unsigned = timestampToken
    ? [ctx(1, attribute(CMS_OID.signatureTimeStampToken, embed(timestampToken, 'the timestamp token')))]
    : [];
  const signerInfo = seq(
    uint(1),
    seq(issuer, serial),
    sha256Alg(),
    signedAttrsImplicit,
    seq(oid(OID.rsaEncryption), nul()),
    octets(parts.signature),
    ...unsigned,
  );
  const signedData = seq(uint(1), set(sha256Alg()), seq(oid(CMS_OID.data)), ctx(0, ...chain), set(signerInfo));
  return fromForge(seq(oid(CMS_OID.signedData), ctx(0, signedData)));
}
