// CAdES-detached CMS SignedData (RFC 5652) for PAdES B-B: signed attributes are exactly
// content-type, message-digest and signing-certificate-v2 (RFC 5035). PAdES forbids signing-time
// in the CMS; the claimed time lives in the signature dictionary's /M instead.
import { createHash } from 'node:crypto';
import { NULL, TAG, ctx, octets, oid, seq, setOf, tlv, uint } from './der.js';
import { AppError } from '../errors.js';
import type { Signer } from './types.js';
import { OID, parseCertificate } from './x509.js';

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

const sha256Alg = seq(oid(OID.sha256));
const attribute = (attrOid: string, value: Buffer): Buffer => seq(oid(attrOid), setOf(value));

export interface CmsParts {
  signedAttrsSet: Buffer;
  signature: Buffer;
}

/** Builds and signs the signed attributes for a document digest. */
export async function signAttributes(digest: Buffer, signer: Signer): Promise<CmsParts> {
  const leafDer = signer.certificateChainDer[0];
  if (!leafDer) throw new Error('signer has no certificate');
  const leaf = parseCertificate(leafDer);
  // ESSCertIDv2 with the default hash (SHA-256) omits hashAlgorithm; issuer is a GeneralName [4] directoryName.
  const essCertIdV2 = seq(
    octets(createHash('sha256').update(leafDer).digest()),
    seq(seq(ctx(4, leaf.issuerDer)), leaf.serialTlv),
  );
  const signedAttrsSet = setOf(
    attribute(CMS_OID.contentType, oid(CMS_OID.data)),
    attribute(CMS_OID.messageDigest, octets(digest)),
    attribute(CMS_OID.signingCertificateV2, seq(seq(essCertIdV2))),
  );
  // The signature covers the attributes encoded as a universal SET (RFC 5652 5.4).
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
  const leafDer = signer.certificateChainDer[0];
  if (!leafDer) throw new Error('signer has no certificate');
  const leaf = parseCertificate(leafDer);
  // Signed attributes travel as [0] IMPLICIT: same bytes, different tag.
  const signedAttrsImplicit = Buffer.from(parts.signedAttrsSet);
  signedAttrsImplicit[0] = 0xa0;
  const unsigned = timestampToken ? [tlv(0xa1, attribute(CMS_OID.signatureTimeStampToken, timestampToken))] : [];
  const signerInfo = seq(
    uint(1),
    seq(leaf.issuerDer, leaf.serialTlv),
    sha256Alg,
    signedAttrsImplicit,
    seq(oid(OID.rsaEncryption), NULL),
    octets(parts.signature),
    ...unsigned,
  );
  const signedData = seq(
    uint(1),
    setOf(sha256Alg),
    seq(oid(CMS_OID.data)),
    ctx(0, ...signer.certificateChainDer),
    tlv(TAG.SET, signerInfo),
  );
  return seq(oid(CMS_OID.signedData), ctx(0, signedData));
}
