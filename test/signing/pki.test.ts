import { statSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devPkiMissing, initDevPki, loadSigningKeys, loadTrustStore, signPdf, verifyPdf } from '../../services/signing/index.js';
import { PASSPHRASE, UNITS, run, samplePdf, tempDir, removeTempDirs } from './helpers.js';

let dir: string;
let first: { created: string[]; caCreated: boolean };

beforeAll(async () => {
  dir = path.join(tempDir('pki'), 'pki');
  expect(await devPkiMissing(dir)).toBe(true);
  first = await initDevPki({ dir, passphrase: PASSPHRASE, units: UNITS.slice(0, 1) });
});

afterAll(removeTempDirs);

describe('initDevPki', () => {
  it('creates a CA and unit certificates with Vietnamese names marked development-only', () => {
    expect(first).toEqual({ created: ['000.00.12.H54'], caCreated: true });
    const chain = path.join(dir, 'units', '000.00.12.H54.chain.pem');
    const subject = run('openssl', ['x509', '-in', chain, '-noout', '-subject', '-issuer', '-nameopt', 'utf8,sep_comma_plus']).out;
    expect(subject).toContain('CN=Ủy ban nhân dân xã Đông Hưng');
    expect(subject).toContain('serialNumber=000.00.12.H54');
    expect(subject).toMatch(/O=.*\(DEVELOPMENT ONLY\)/);
    expect(subject).toMatch(/issuer=.*CA thử nghiệm.*\(DEVELOPMENT ONLY\)/);
    const verified = run('openssl', ['verify', '-CAfile', path.join(dir, 'ca.pem'), chain]);
    expect(verified.out).toContain(': OK');
  });

  it('keeps key and chain files private (0600)', () => {
    for (const f of ['ca.key.pem', 'units/000.00.12.H54.key.pem', 'units/000.00.12.H54.chain.pem']) {
      expect(statSync(path.join(dir, f)).mode & 0o777).toBe(0o600);
    }
  });

  it('is idempotent: reuses the CA and only adds missing units', async () => {
    expect(await devPkiMissing(dir)).toBe(false);
    const again = await initDevPki({ dir, passphrase: PASSPHRASE, units: UNITS });
    expect(again).toEqual({ created: ['000.00.01.H54'], caCreated: false });
    const keys = await loadSigningKeys({ dir, passphrase: PASSPHRASE });
    expect(keys.units().sort()).toEqual(['000.00.01.H54', '000.00.12.H54']);
    const trust = await loadTrustStore({ dir });
    const signer = keys.get('000.00.01.H54');
    if (!signer) throw new Error('missing');
    expect((await verifyPdf(await signPdf(await samplePdf(), signer, { code: 'X', signedAt: new Date() }), trust)).valid).toBe(true);
  });

  it('reports a wrong passphrase without echoing it', async () => {
    const secret = 'wrong-secret-passphrase';
    const err: unknown = await loadSigningKeys({ dir, passphrase: secret }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'SIGNING_FAILED' });
    expect(String((err as Error).message)).not.toContain(secret);
    expect(JSON.stringify(err)).not.toContain(secret);
  });
});

describe('PKCS#12 identities', () => {
  // node-forge derives PBES2 keys from the passphrase's low bytes only, so PKCS#12 needs ASCII passphrases.
  const P12_PASSPHRASE = 'p12-ascii-passphrase';

  it('loads a .p12 made by openssl (AES-256, SHA-256 MAC) and signs with it', async () => {
    const p12Dir = path.join(tempDir('p12'), 'pki');
    mkdirSync(path.join(p12Dir, 'units'), { recursive: true });
    const code = '000.00.12.H54';
    const decrypted = run('openssl', ['pkey', '-in', path.join(dir, 'units', `${code}.key.pem`), '-passin', `pass:${PASSPHRASE}`]);
    expect(decrypted.code).toBe(0);
    const keyFile = path.join(p12Dir, 'plain.key');
    writeFileSync(keyFile, decrypted.out, { mode: 0o600 });
    const out = path.join(p12Dir, 'units', `${code}.p12`);
    const made = run('openssl', ['pkcs12', '-export', '-inkey', keyFile, '-in', path.join(dir, 'units', `${code}.chain.pem`),
      '-passout', `pass:${P12_PASSPHRASE}`, '-out', out]);
    expect(made.code).toBe(0);
    const keys = await loadSigningKeys({ dir: p12Dir, passphrase: P12_PASSPHRASE });
    const signer = keys.get(code);
    if (!signer) throw new Error('p12 signer missing');
    expect(signer.displayName).toBe('Ủy ban nhân dân xã Đông Hưng');
    expect(signer.certificateChainDer).toHaveLength(2);
    const trust = await loadTrustStore({ dir });
    const v = await verifyPdf(await signPdf(await samplePdf(), signer, { code: 'P12', signedAt: new Date() }), trust);
    expect(v).toMatchObject({ valid: true, unitCode: code });
  });
});

describe('npm run pki -- init', () => {
  it('initialises a directory from a registry file', () => {
    const base = tempDir('cli');
    const units = path.join(base, 'units.json');
    writeFileSync(units, JSON.stringify({ units: [{ code: '000.00.21.H54', name: 'Ủy ban nhân dân xã Vũ Thư', level: 'commune', parent: null, rural: true }] }));
    const r = run('npx', ['tsx', 'scripts/pki.ts', 'init', '--dir', path.join(base, 'pki'), '--units', units]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out.trim().split('\n').pop() ?? '{}')).toMatchObject({ caCreated: true, created: 1 });
    expect(r.out).not.toContain(PASSPHRASE);
  });
});
