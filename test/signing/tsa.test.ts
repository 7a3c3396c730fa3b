import { generateKeyPairSync } from 'node:crypto';
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initDevPki, loadSigningKeys, loadTrustStore, signPdf, verifyPdf, type Signer, type TrustStore } from '../../services/signing/index.js';
import { issueCertificate, toPem } from '../../services/signing/x509.js';
import { PASSPHRASE, UNITS, nssDbTrusting, run, samplePdf, tempDir, writeTemp, removeTempDirs } from './helpers.js';

const execFileAsync = promisify(execFile);

let work: string;
let server: Server;
let tsaUrl: string;
let signer: Signer;
let trust: TrustStore;
let nssDir: string;

/** A throwaway RFC 3161 TSA: openssl ts -reply behind a tiny HTTP endpoint. */
async function startTsa(dir: string): Promise<string> {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const now = Date.now();
  const cert = issueCertificate({
    kind: 'tsa',
    subject: { country: 'VN', organization: 'Dịch vụ cấp dấu thời gian (DEVELOPMENT ONLY)', commonName: 'TSA thử nghiệm' },
    subjectPublicKey: privateKey,
    selfKey: privateKey,
    notBefore: new Date(now - 86_400_000),
    notAfter: new Date(now + 86_400_000),
  });
  await writeFile(path.join(dir, 'tsa.pem'), toPem(cert));
  await writeFile(path.join(dir, 'tsa.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  await writeFile(path.join(dir, 'tsaserial'), '01\n');
  await writeFile(
    path.join(dir, 'tsa.cnf'),
    [
      '[ tsa ]', 'default_tsa = tsa_config', '[ tsa_config ]', `dir = ${dir}`, 'serial = $dir/tsaserial',
      'signer_cert = $dir/tsa.pem', 'signer_key = $dir/tsa.key', 'signer_digest = sha256',
      'default_policy = 1.2.3.4.1', 'digests = sha256, sha512', 'accuracy = secs:1', 'ordering = yes',
      'tsa_name = no', 'ess_cert_id_alg = sha256', '',
    ].join('\n'),
  );
  let n = 0;
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const id = ++n;
        const q = path.join(dir, `q${id}.tsq`);
        const r = path.join(dir, `r${id}.tsr`);
        await writeFile(q, Buffer.concat(chunks));
        await execFileAsync('openssl', ['ts', '-reply', '-config', path.join(dir, 'tsa.cnf'), '-queryfile', q, '-out', r]);
        res.writeHead(200, { 'content-type': 'application/timestamp-reply' }).end(await readFile(r));
      })().catch(() => res.writeHead(500).end());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/tsa`;
}

beforeAll(async () => {
  work = tempDir('tsa');
  const pkiDir = path.join(work, 'pki');
  await initDevPki({ dir: pkiDir, passphrase: PASSPHRASE, units: UNITS.slice(0, 1) });
  const s = (await loadSigningKeys({ dir: pkiDir, passphrase: PASSPHRASE })).get('000.00.12.H54');
  if (!s) throw new Error('signer missing');
  signer = s;
  trust = await loadTrustStore({ dir: pkiDir });
  nssDir = nssDbTrusting(tempDir('tsa-nss'), path.join(pkiDir, 'ca.pem'));
  tsaUrl = await startTsa(work);
});

afterAll(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  removeTempDirs();
});

describe('PAdES B-T with an RFC 3161 timestamp', () => {
  it('adds a signature timestamp that our verifier and pdfsig accept', async () => {
    const before = Date.now();
    const pdf = await signPdf(await samplePdf(), signer, { code: 'H54-TS-1', signedAt: new Date(), tsaUrl });
    const v = await verifyPdf(pdf, trust);
    expect(v.valid).toBe(true);
    expect(v.reason).toBeNull();
    expect(v.timestamp).not.toBeNull();
    const ts = Date.parse(v.timestamp ?? '');
    expect(ts).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 - 2000);
    expect(ts).toBeLessThanOrEqual(Date.now() + 2000);
    const out = run('pdfsig', ['-nssdir', `sql:${nssDir}`, writeTemp(work, 'ts.pdf', pdf)]).out;
    expect(out).toContain('Signature is Valid');
    expect(out).toContain('Total document signed');
  });

  it('fails signing with SIGNING_FAILED when the TSA is unreachable', async () => {
    await expect(
      signPdf(await samplePdf(), signer, { code: 'X', signedAt: new Date(), tsaUrl: 'http://127.0.0.1:9/tsa' }),
    ).rejects.toMatchObject({ code: 'SIGNING_FAILED' });
  });
});
