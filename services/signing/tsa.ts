// RFC 3161 client: asks a time-stamping authority to timestamp the signature value, yielding the
// signature-timestamp attribute that lifts PAdES B-B to B-T.
import { createHash, randomBytes } from 'node:crypto';
import { Type, asn1, bool, child, children, fromForge, octets, oid, parse, raw, seq, uint } from './der.js';
import { OID } from './x509.js';

export function timestampRequest(signature: Buffer): { der: Buffer; nonce: Buffer } {
  const nonce = randomBytes(8);
  nonce[0] = (nonce[0] ?? 0) & 0x7f;
  const imprint = seq(seq(oid(OID.sha256)), octets(createHash('sha256').update(signature).digest()));
  // certReq: the token must carry the TSA certificate, or it cannot be verified from the PDF alone.
  return { der: fromForge(seq(uint(1), imprint, uint(nonce), bool(true))), nonce };
}

/** Extracts the TimeStampToken from a TimeStampResp, rejecting any status other than granted(0/1). */
export function tokenFromResponse(resp: Buffer): Buffer {
  const top = parse(resp);
  const status = child(child(top, 0, 'PKIStatusInfo', Type.SEQUENCE), 0, 'status', Type.INTEGER).node.value;
  const code = typeof status === 'string' ? asn1.derToInteger(status) : NaN;
  if (!(code === 0 || code === 1)) throw new Error(`TSA refused the request (status ${code})`);
  const token = children(top)[1];
  if (!token) throw new Error('TSA response has no token');
  // The token's own bytes, not a re-encoding: its signature covers data inside it.
  return raw(token);
}

export async function requestTimestamp(url: string, signature: Buffer, timeoutMs = 10_000): Promise<Buffer> {
  const { der } = timestampRequest(signature);
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/timestamp-query' },
    body: der,
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!res.ok) throw new Error(`TSA answered HTTP ${res.status}`);
  return tokenFromResponse(Buffer.from(await res.arrayBuffer()));
}
