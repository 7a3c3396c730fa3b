import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findSignatures, initDevPki, isSigned, listSignatures, loadSigningKeys, loadTrustStore, signPdf, verifyPdf, type Signer, type TrustStore } from '../../services/signing/index.js';
import { parseSignedData } from '../../services/signing/cmsparse.js';
import { CMS_OID } from '../../services/signing/cms.js';
import { PASSPHRASE, UNITS, appendPageIncrementally, byteRangeContent, nssDbTrusting, run, samplePdf, tempDir, writeTemp, removeTempDirs } from './helpers.js';

let work: string;
let pkiDir: string;
let signer: Signer;
let trust: TrustStore;
let nssDir: string;
let signed: Buffer;
// Inside the test PKI's validity, which starts a day before the test runs (a fixed date would expire).
const signedAt = new Date(Math.floor(Date.now() / 1000) * 1000 - 3_600_000);

beforeAll(async () => {
  work = tempDir('sign');
  pkiDir = path.join(work, 'pki');
  await initDevPki({ dir: pkiDir, passphrase: PASSPHRASE, units: UNITS });
  const keys = await loadSigningKeys({ dir: pkiDir, passphrase: PASSPHRASE });
  const s = keys.get('000.00.12.H54');
  if (!s) throw new Error('signer missing');
  signer = s;
  trust = await loadTrustStore({ dir: pkiDir });
  nssDir = nssDbTrusting(tempDir('nss'), path.join(pkiDir, 'ca.pem'));
  signed = Buffer.from(
    await signPdf(await samplePdf(), signer, { code: 'H54.12-261128-000123', signedAt, reason: 'Số hóa hồ sơ', location: 'Thái Bình' }),
  );
});

function pdfsig(file: string): string {
  return run('pdfsig', ['-nssdir', `sql:${nssDir}`, file]).out;
}

afterAll(removeTempDirs);

describe('signPdf', () => {
  it('produces a PAdES B-B signature that our verifier accepts', async () => {
    const v = await verifyPdf(signed, trust);
    expect(v).toEqual({
      valid: true,
      intact: true,
      coversWholeDocument: true,
      signer: 'Ủy ban nhân dân xã Đông Hưng',
      unitCode: '000.00.12.H54',
      signedAt: signedAt.toISOString(),
      chainTrusted: true,
      timestamp: null,
      reason: null,
    });
    expect(isSigned(signed)).toBe(true);
    expect(isSigned(await samplePdf())).toBe(false);
  });

  it('is accepted by poppler pdfsig with the dev CA trusted, and by qpdf', () => {
    const file = writeTemp(work, 'signed.pdf', signed);
    const out = pdfsig(file);
    expect(out).toContain('Signature is Valid');
    expect(out).toContain('Total document signed');
    expect(out).toContain('Certificate is Trusted');
    expect(out).toContain('ETSI.CAdES.detached');
    expect(out).toContain('Ủy ban nhân dân xã Đông Hưng');
    const q = run('qpdf', ['--check', file]);
    expect(q.code).toBe(0);
    expect(q.out).toContain('No syntax or stream encoding errors');
  });

  it('has a CMS that openssl verifies, with exactly the PAdES signed attributes', () => {
    const [sig] = findSignatures(signed);
    if (!sig) throw new Error('no signature');
    const [, a1, b0] = sig.byteRange;
    const hex = signed.subarray(a1 + 1, b0 - 1).toString('latin1');
    const cms = Buffer.from(hex, 'hex');
    const sd = parseSignedData(cms);
    expect([...sd.signer.signedAttrs.keys()].sort()).toEqual(
      [CMS_OID.contentType, CMS_OID.messageDigest, CMS_OID.signingCertificateV2].sort(),
    );
    expect(sd.signer.signedAttrs.has(CMS_OID.signingTime)).toBe(false);
    expect(sd.certs).toHaveLength(2);
    const cmsFile = writeTemp(work, 'sig.p7s', cms);
    const contentFile = writeTemp(work, 'content.bin', byteRangeContent(signed, sig.byteRange));
    const r = run('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', cmsFile, '-content', contentFile,
      '-CAfile', path.join(pkiDir, 'ca.pem'), '-purpose', 'any', '-out', '/dev/null']);
    expect(r.out).toContain('Verification successful');
    expect(r.code).toBe(0);
  });

  it('carries a visible stamp with Vietnamese text in an embedded DejaVu subset', () => {
    const text = signed.toString('latin1');
    expect(text).toMatch(/\/BaseFont \/[A-Z]{6}\+DejaVuSans/);
    expect(text).toContain('/FT /Sig');
    const png = run('pdftoppm', ['-r', '30', '-png', '-singlefile', writeTemp(work, 'stamp.pdf', signed), path.join(work, 'stamp')]);
    expect(png.code).toBe(0);
  });

  it('signs PDFs with classic xref tables and adds a second signature without breaking the first', async () => {
    const classic = await signPdf(await samplePdf({ objectStreams: false, pages: 2 }), signer, { code: 'A-1', signedAt });
    expect((await verifyPdf(classic, trust)).valid).toBe(true);
    const keys = await loadSigningKeys({ dir: pkiDir, passphrase: PASSPHRASE });
    const second = keys.get('000.00.01.H54');
    if (!second) throw new Error('second signer missing');
    const twice = Buffer.from(await signPdf(classic, second, { code: 'A-1', signedAt: new Date(signedAt.getTime() + 1_800_000) }));
    const v = await verifyPdf(twice, trust);
    expect(v.valid).toBe(true);
    expect(v.unitCode).toBe('000.00.01.H54');
    expect(v.signer).toBe('Sở Tư pháp tỉnh Thái Bình');
    const out = pdfsig(writeTemp(work, 'twice.pdf', twice));
    expect(out.match(/Signature is Valid/g)).toHaveLength(2);
    expect(out).toContain('Total document signed');
    expect(run('qpdf', ['--check', path.join(work, 'twice.pdf')]).code).toBe(0);
  });

  it('is deterministic for the same input, signer and time', async () => {
    const pdf = await samplePdf();
    const a = await signPdf(pdf, signer, { code: 'X', signedAt });
    const b = await signPdf(pdf, signer, { code: 'X', signedAt });
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
  });

  it('lists who signed, for idempotent workers', () => {
    expect(listSignatures(signed)).toEqual([{ unitCode: '000.00.12.H54', signer: 'Ủy ban nhân dân xã Đông Hưng', signedAt: signedAt.toISOString() }]);
  });

  it('handles stamp text beyond the Vietnamese charset and a broken startxref', async () => {
    const pdf = Buffer.from(await samplePdf({ objectStreams: false }));
    const text = pdf.toString('latin1');
    const at = text.lastIndexOf('startxref');
    // Point startxref at garbage: the signer must rewrite the file once and still sign it.
    const broken = Buffer.concat([pdf.subarray(0, at), Buffer.from('startxref\n12\n%%EOF\n', 'latin1')]);
    const out = await signPdf(broken, signer, { code: 'Ñ-1', signedAt, stampLines: ['Ghi chú: bản sao điện tử – 漢字 ñ'] });
    expect((await verifyPdf(out, trust)).valid).toBe(true);
    expect(run('qpdf', ['--check', writeTemp(work, 'broken-xref.pdf', out)]).code).toBe(0);
  });

  it('rejects non-PDF input', async () => {
    await expect(signPdf(Buffer.from('hello'), signer, { code: 'X', signedAt })).rejects.toMatchObject({ code: 'NOT_A_PDF' });
  });
});

describe('verifyPdf on damaged or untrusted documents', () => {
  it('flags one flipped byte inside the signed range', async () => {
    const bad = Buffer.from(signed);
    const at = 200; // inside the first byte range (original content)
    bad[at] = (bad[at] ?? 0) ^ 0x01;
    const v = await verifyPdf(bad, trust);
    expect(v.valid).toBe(false);
    expect(v.intact).toBe(false);
    expect(v.reason).toMatch(/changed after signing/);
    expect(pdfsig(writeTemp(work, 'flipped.pdf', bad))).not.toContain('Signature is Valid');
  });

  it('flags a flipped byte inside the signature value', async () => {
    const bad = Buffer.from(signed);
    const [sig] = findSignatures(bad);
    if (!sig) throw new Error('no signature');
    // Flip a byte in the RSA signature (it sits just before the zero padding).
    const hexEnd = bad.subarray(sig.byteRange[1], sig.byteRange[2]).toString('latin1').search(/0{64}/) + sig.byteRange[1];
    const pos = hexEnd - 10;
    bad[pos] = bad[pos] === 0x30 ? 0x31 : 0x30; // a different hex digit, never a case change
    const v = await verifyPdf(bad, trust);
    expect(v.valid).toBe(false);
    expect(v.reason).not.toBeNull();
  });

  it('flags a truncated file', async () => {
    const cut = signed.subarray(0, signed.length - 40);
    const v = await verifyPdf(cut, trust);
    expect(v.valid).toBe(false);
    expect(v.reason).toMatch(/truncated/);
    expect(pdfsig(writeTemp(work, 'cut.pdf', cut))).not.toContain('Signature is Valid');
  });

  it('flags a page appended by an incremental update after signing', async () => {
    const appended = await appendPageIncrementally(signed);
    const v = await verifyPdf(appended, trust);
    expect(v.valid).toBe(false);
    expect(v.intact).toBe(true);
    expect(v.coversWholeDocument).toBe(false);
    expect(v.reason).toMatch(/changed after signing/);
    const out = pdfsig(writeTemp(work, 'appended.pdf', appended));
    expect(out).toContain('Not total document signed');
  });

  it('flags a signature from an untrusted CA', async () => {
    const otherDir = path.join(work, 'other-pki');
    await initDevPki({ dir: otherDir, passphrase: PASSPHRASE, units: [UNITS[0] ?? { code: '000.00.12.H54', name: 'x' }] });
    const other = (await loadSigningKeys({ dir: otherDir, passphrase: PASSPHRASE })).get('000.00.12.H54');
    if (!other) throw new Error('other signer missing');
    const foreign = await signPdf(await samplePdf(), other, { code: 'X', signedAt });
    const v = await verifyPdf(foreign, trust);
    expect(v.valid).toBe(false);
    expect(v.intact).toBe(true);
    expect(v.chainTrusted).toBe(false);
    expect(v.reason).toMatch(/trusted CA/);
    expect(pdfsig(writeTemp(work, 'foreign.pdf', foreign))).not.toContain('Certificate is Trusted');
    // ...and it becomes valid once that CA is configured as an extra anchor.
    const wider = await loadTrustStore({ dir: pkiDir, extraCaFiles: [path.join(otherDir, 'ca.pem')] });
    expect((await verifyPdf(foreign, wider)).valid).toBe(true);
  });

  it('reports unsigned PDFs as not valid', async () => {
    const v = await verifyPdf(await samplePdf(), trust);
    expect(v).toMatchObject({ valid: false, reason: 'the document has no digital signature' });
  });

  it('never exposes key material', () => {
    const json = JSON.stringify(signer);
    expect(json).not.toMatch(/PRIVATE KEY|passphrase/i);
    expect(readFileSync(path.join(pkiDir, 'units', '000.00.12.H54.key.pem'), 'utf8')).toContain('ENCRYPTED PRIVATE KEY');
  });
});

describe('signer failures', () => {
  it('does not leak the key provider message', async () => {
    const failing: Signer = {
      ...signer,
      sign: () => Promise.reject(new Error('PIN 1234 rejected for key ABC')),
    };
    const err: unknown = await signPdf(await samplePdf(), failing, { code: 'X', signedAt }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'SIGNING_FAILED' });
    expect(String((err as Error).message)).not.toContain('1234');
  });
});
