// The ASN.1 layer is node-forge's; these tests pin down the places where bytes must survive exactly
// (spans cut from the input rather than re-encoded) and the encodings verifiers depend on.
import { createHash, generateKeyPairSync, verify as cryptoVerify, X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initDevPki, loadSigningKeys, type Signer } from '../../services/signing/index.js';
import { assembleCms, signAttributes } from '../../services/signing/cms.js';
import { checkSigningCertificateV2, findSignerCert, parseSignedData } from '../../services/signing/cmsparse.js';
import { children, embed, fromForge, parse, raw, seq, uint, utf8 } from '../../services/signing/der.js';
import { tokenFromResponse } from '../../services/signing/tsa.js';
import { OID, issueCertificate, nameAttr, parseCertificate } from '../../services/signing/x509.js';
import { PASSPHRASE, UNITS, run, tempDir, removeTempDirs, writeTemp } from './helpers.js';

let signer: Signer;
let work: string;

beforeAll(async () => {
  work = tempDir('der');
  await initDevPki({ dir: work, passphrase: PASSPHRASE, units: UNITS.slice(0, 1) });
  const s = (await loadSigningKeys({ dir: work, passphrase: PASSPHRASE })).get('000.00.12.H54');
  if (!s) throw new Error('signer missing');
  signer = s;
});

afterAll(removeTempDirs);

describe('spans of parsed elements', () => {
  // SEQUENCE { INTEGER 00 05 (redundant leading zero), OCTET STRING with a long-form length of 1 byte }
  const nonCanonical = Buffer.from('3008' + '02020005' + '048101aa', 'hex');

  it('cuts exact input bytes where forge would re-encode differently', () => {
    const top = parse(nonCanonical);
    const [int, oct] = children(top);
    expect(int && raw(int).toString('hex')).toBe('020200' + '05');
    expect(oct && raw(oct).toString('hex')).toBe('048101aa');
    expect(raw(top).equals(nonCanonical)).toBe(true);
    // What a re-encoding would have produced: different bytes, so a signature over them would break.
    expect(int && fromForge(int.node).toString('hex')).toBe('020105');
    expect(oct && fromForge(oct.node).toString('hex')).toBe('0401aa');
  });

  it('refuses to embed an element that would not come back unchanged', () => {
    expect(() => embed(nonCanonical, 'the test value')).toThrow(/not DER-encoded/);
    const canonical = fromForge(seq(uint(Buffer.from([0x80, 1])), utf8('Đông Hưng')));
    expect(fromForge(embed(canonical, 'x')).equals(canonical)).toBe(true);
  });

  it('finds the end of a CMS followed by zero padding, as in /Contents', () => {
    const inner = fromForge(seq(uint(7)));
    const padded = Buffer.concat([inner, Buffer.alloc(64)]);
    expect(parse(padded, { trailing: true }).end).toBe(inner.length);
    expect(() => parse(padded)).toThrow();
  });

  it('rejects indefinite lengths, which DER forbids', () => {
    expect(() => children(parse(Buffer.from('3080020101' + '0000', 'hex')))).toThrow(/indefinite/);
  });
});

describe('certificates', () => {
  it('writes Vietnamese names as UTF8String and reads them back unchanged', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const subject = { country: 'VN', organization: 'Sở Tư pháp tỉnh Thái Bình', commonName: 'Nguyễn Thị Ánh Tuyết', serialNumber: '000.00.01.H54' };
    // 2050 and later must be GeneralizedTime (RFC 5280 4.1.2.5).
    const der = issueCertificate({
      kind: 'signer', subject, subjectPublicKey: privateKey, selfKey: privateKey,
      notBefore: new Date('2026-01-01T00:00:00Z'), notAfter: new Date('2052-03-04T05:06:07Z'),
    });
    const info = parseCertificate(der);
    expect(nameAttr(info.subject, OID.commonName)).toBe(subject.commonName);
    expect(nameAttr(info.subject, OID.organization)).toBe(subject.organization);
    expect(nameAttr(info.subject, OID.serialNumber)).toBe(subject.serialNumber);
    expect(info.notAfter.toISOString()).toBe('2052-03-04T05:06:07.000Z');
    expect(info.notBefore.toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(info.subjectDer.includes(Buffer.concat([Buffer.from([0x0c, Buffer.byteLength(subject.commonName)]), Buffer.from(subject.commonName)]))).toBe(true);
    expect(info.subjectKeyId?.length).toBe(20);
    expect(info.authorityKeyId?.equals(info.subjectKeyId ?? Buffer.alloc(0))).toBe(true);
    expect(new X509Certificate(der).verify(new X509Certificate(der).publicKey)).toBe(true);
    const text = run('openssl', ['x509', '-inform', 'DER', '-in', writeTemp(work, 'vn.der', der), '-noout', '-subject', '-enddate', '-nameopt', 'utf8,show_type,sep_comma_plus']).out;
    expect(text).toContain('CN=UTF8STRING:Nguyễn Thị Ánh Tuyết');
    expect(text).toContain('C=PRINTABLESTRING:VN');
    expect(text).toContain('notAfter=Mar  4 05:06:07 2052 GMT');
  });

  it('takes issuer, subject and serial from the certificate bytes', () => {
    const leafDer = signer.certificateChainDer[0] ?? Buffer.alloc(0);
    const info = parseCertificate(leafDer);
    for (const part of [info.issuerDer, info.subjectDer, info.serialTlv]) expect(leafDer.includes(part)).toBe(true);
    const caSubject = parseCertificate(signer.certificateChainDer[1] ?? Buffer.alloc(0)).subjectDer;
    expect(info.issuerDer.equals(caSubject)).toBe(true);
  });
});

describe('CMS', () => {
  it('round-trips: the parsed structure holds the signed bytes and the certificates verbatim', async () => {
    const digest = createHash('sha256').update('a document').digest();
    const parts = await signAttributes(digest, signer);
    const cms = assembleCms(parts, signer);
    const sd = parseSignedData(Buffer.concat([cms, Buffer.alloc(512)]));
    expect(sd.signer.signedAttrsSet?.equals(parts.signedAttrsSet)).toBe(true);
    expect(sd.signer.signature.equals(parts.signature)).toBe(true);
    expect(sd.certs.map((c) => c.der.toString('hex'))).toEqual(signer.certificateChainDer.map((d) => d.toString('hex')));
    const cert = findSignerCert(sd);
    expect(cert?.der.equals(signer.certificateChainDer[0] ?? Buffer.alloc(0))).toBe(true);
    if (!cert) return;
    expect(checkSigningCertificateV2(sd, cert)).toBeNull();
    expect(cryptoVerify('sha256', parts.signedAttrsSet, new X509Certificate(cert.der).publicKey, parts.signature)).toBe(true);
    // Signed attributes are a DER SET OF: members in ascending order of their encodings.
    const members = children(parse(parts.signedAttrsSet)).map((m) => raw(m));
    expect(members.map((m) => m.toString('hex'))).toEqual([...members].sort(Buffer.compare).map((m) => m.toString('hex')));
  });
});

describe('RFC 3161 responses', () => {
  const token = fromForge(seq(uint(42)));
  const response = (status: number): Buffer => Buffer.concat([Buffer.from([0x30, 5 + token.length, 0x30, 3]), fromForge(uint(status)), token]);

  it('returns the token bytes verbatim when granted', () => {
    expect(tokenFromResponse(response(0)).equals(token)).toBe(true);
    expect(tokenFromResponse(response(1)).equals(token)).toBe(true);
  });

  it('rejects other statuses', () => {
    expect(() => tokenFromResponse(response(2))).toThrow(/status 2/);
  });
});
