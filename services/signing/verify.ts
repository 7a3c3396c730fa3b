// Verification of every signature in a PDF: byte range sanity, digest, CMS signature, signing
// certificate binding, optional RFC 3161 timestamp, and a chain to a configured trust anchor.
import { createHash } from 'node:crypto';
import { AppError } from '../errors.js';
import { CMS_OID } from './cms.js';
import { checkSignerInfo, checkSigningCertificateV2, findSignerCert, signedDataAt, type ParsedSignedData } from './cmsparse.js';
import { Type, bytesOf, child, children, is, oidOf, parse, parseTime, type Located } from './der.js';
import { looksLikePdf, toBuffer } from './sign.js';
import { findSignatures, signingTimeOf, type FoundSignature } from './signatures.js';
import type { TrustStore, Verification } from './types.js';
import { displayName, parseCertificate, unitCodeOf, x509Of, type CertInfo } from './x509.js';

const MAX_CHAIN = 8;

type SignatureResult = Omit<Verification, 'valid'>;

const blank = (reason: string): SignatureResult => ({
  intact: false, coversWholeDocument: false, signer: null, unitCode: null, signedAt: null,
  chainTrusted: false, timestamp: null, reason,
});

/** The CMS in /Contents, parsed; the zero padding after it is not part of it. */
function contentsCms(buf: Buffer, sig: FoundSignature): Located | null {
  const [, b1, b2] = sig.byteRange;
  const hex = buf.subarray(b1, b2).toString('latin1').trim();
  if (!/^<[0-9a-fA-F\s]*>$/.test(hex)) return null;
  const bytes = Buffer.from(hex.slice(1, -1).replace(/\s+/g, ''), 'hex');
  try {
    return parse(bytes, { trailing: true });
  } catch {
    return null;
  }
}

function validAt(cert: CertInfo, at: Date): boolean {
  return cert.notBefore.getTime() <= at.getTime() && at.getTime() <= cert.notAfter.getTime();
}

function issuedBy(child: CertInfo, parent: CertInfo): boolean {
  if (!child.issuerDer.equals(parent.subjectDer)) return false;
  try {
    return x509Of(child.der).verify(x509Of(parent.der).publicKey);
  } catch {
    return false;
  }
}

/** Follows issuers through the CMS certificates until a trust anchor signs (or is) the current one. */
function chainToAnchor(leaf: CertInfo, pool: CertInfo[], anchors: CertInfo[], at: Date): string | null {
  let current = leaf;
  for (let depth = 0; depth < MAX_CHAIN; depth++) {
    if (!validAt(current, at)) return `certificate "${displayName(current.subject) ?? '?'}" was not valid at signing time`;
    if (anchors.some((a) => a.der.equals(current.der))) return null;
    const anchor = anchors.find((a) => issuedBy(current, a));
    if (anchor) return validAt(anchor, at) ? null : 'the trusted CA certificate was not valid at signing time';
    const next = pool.find((c) => c.isCa && !c.der.equals(current.der) && issuedBy(current, c));
    if (!next) return 'the certificate chain does not lead to a trusted CA';
    current = next;
  }
  return 'the certificate chain is too long';
}

/** Verifies the RFC 3161 token in the unsigned attributes; returns its time, or a reason. */
function checkTimestamp(sd: ParsedSignedData): { time: Date | null; reason: string | null } {
  const tokenTlv = sd.signer.unsignedAttrs.get(CMS_OID.signatureTimeStampToken);
  if (!tokenTlv) return { time: null, reason: null };
  try {
    const token = signedDataAt(tokenTlv);
    if (token.eContentType !== CMS_OID.tstInfo || !token.eContent) return { time: null, reason: 'the timestamp token holds no TSTInfo' };
    const f = children(parse(token.eContent));
    const imprint = f[2];
    const genTime = f[4];
    if (!imprint || !is(genTime, Type.GENERALIZEDTIME)) return { time: null, reason: 'the timestamp token is malformed' };
    const algOid = oidOf(child(child(imprint, 0, 'hashAlgorithm', Type.SEQUENCE), 0, 'hash OID', Type.OID));
    const hashed = bytesOf(child(imprint, 1, 'hashedMessage', Type.OCTETSTRING));
    const alg = algOid === '2.16.840.1.101.3.4.2.1' ? 'sha256' : algOid === '2.16.840.1.101.3.4.2.3' ? 'sha512' : null;
    if (!alg || !hashed.equals(createHash(alg).update(sd.signer.signature).digest())) {
      return { time: null, reason: 'the timestamp does not cover this signature' };
    }
    const tsaCert = findSignerCert(token);
    if (!tsaCert) return { time: null, reason: "the timestamp token lacks the TSA's certificate" };
    const bad = checkSignerInfo(token, tsaCert, createHash(token.signer.digestAlgorithm).update(token.eContent).digest());
    if (bad) return { time: null, reason: `timestamp: ${bad}` };
    return { time: parseTime(genTime), reason: null };
  } catch {
    return { time: null, reason: 'the timestamp token is damaged' };
  }
}

function verifyOne(buf: Buffer, sig: FoundSignature, anchors: CertInfo[]): SignatureResult {
  const [a0, a1, b0, b1] = sig.byteRange;
  const signedAtDate = signingTimeOf(sig.dictText);
  const base = { ...blank(''), signedAt: signedAtDate?.toISOString() ?? null };
  if (a0 !== 0 || a1 >= b0) return { ...base, reason: 'the signature byte range is malformed' };
  if (b0 + b1 > buf.length) return { ...base, reason: 'the file is truncated: the signed byte range runs past its end' };
  const coversWholeDocument = b0 + b1 === buf.length;
  const cms = contentsCms(buf, sig);
  if (!cms) return { ...base, coversWholeDocument, reason: 'the signature container (/Contents) is damaged' };
  let sd: ParsedSignedData;
  try {
    sd = signedDataAt(cms);
  } catch {
    return { ...base, coversWholeDocument, reason: 'the signature container (/Contents) is not a valid CMS signature' };
  }
  const cert = findSignerCert(sd);
  if (!cert) return { ...base, coversWholeDocument, reason: "the signature does not include the signer's certificate" };
  const who = { signer: displayName(cert.subject), unitCode: unitCodeOf(cert.subject) };
  const digest = createHash(sd.signer.digestAlgorithm).update(buf.subarray(a0, a0 + a1)).update(buf.subarray(b0, b0 + b1)).digest();
  const bad = checkSignerInfo(sd, cert, digest) ?? checkSigningCertificateV2(sd, cert);
  if (bad) return { ...base, ...who, coversWholeDocument, reason: bad };
  const ts = checkTimestamp(sd);
  const at = ts.time ?? signedAtDate ?? new Date();
  const chainProblem = chainToAnchor(cert, sd.certs, anchors, at);
  return {
    ...who,
    intact: true,
    coversWholeDocument,
    signedAt: base.signedAt,
    chainTrusted: chainProblem === null,
    timestamp: ts.time?.toISOString() ?? null,
    reason: ts.reason ?? chainProblem,
  };
}

/**
 * Verifies all signatures. The reported signer is the latest signature's; the document is valid only
 * if every signature is intact and trusted and the latest one covers the whole file.
 */
export async function verifyPdf(pdf: Uint8Array, trust: TrustStore): Promise<Verification> {
  const buf = toBuffer(pdf);
  if (!looksLikePdf(buf)) throw new AppError('NOT_A_PDF');
  const anchors = trust.anchorsDer.map((d) => parseCertificate(d));
  const sigs = findSignatures(buf);
  if (sigs.length === 0) return { valid: false, ...blank('the document has no digital signature') };
  const results = sigs.map((s) => verifyOne(buf, s, anchors));
  // The latest signature is the one whose range reaches furthest into the file.
  let latestIdx = 0;
  sigs.forEach((s, i) => {
    const best = sigs[latestIdx];
    if (best && s.byteRange[2] + s.byteRange[3] > best.byteRange[2] + best.byteRange[3]) latestIdx = i;
  });
  const latest = results[latestIdx] ?? blank('no signature');
  const firstProblem = results.find((r) => r.reason !== null)?.reason ?? null;
  const reason =
    firstProblem ?? (latest.coversWholeDocument ? null : 'the document was changed after signing (content appended after the signature)');
  return {
    valid: reason === null && results.every((r) => r.intact && r.chainTrusted),
    ...latest,
    intact: results.every((r) => r.intact),
    chainTrusted: results.every((r) => r.chainTrusted),
    reason,
  };
}

export interface SignatureSummary {
  unitCode: string | null;
  signer: string | null;
  signedAt: string | null;
}

/**
 * Who signed, without verifying anything: cheap enough for a worker to skip documents its unit has
 * already signed. Use verifyPdf before trusting the answer.
 */
export function listSignatures(pdf: Uint8Array): SignatureSummary[] {
  const buf = toBuffer(pdf);
  return findSignatures(buf).map((sig) => {
    const signedAt = signingTimeOf(sig.dictText)?.toISOString() ?? null;
    const cms = contentsCms(buf, sig);
    try {
      const cert = cms ? findSignerCert(signedDataAt(cms)) : null;
      return { unitCode: cert ? unitCodeOf(cert.subject) : null, signer: cert ? displayName(cert.subject) : null, signedAt };
    } catch {
      return { unitCode: null, signer: null, signedAt };
    }
  });
}
