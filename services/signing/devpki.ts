// Development PKI: a local CA and one certificate per unit so the app signs out of the box.
// Every name carries "(DEVELOPMENT ONLY)" so a dev-signed document can never pass for a real one.
import { createPrivateKey, generateKeyPair, type KeyObject } from 'node:crypto';
import { access, chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { AppError } from '../errors.js';
import { UNITS_SUBDIR } from './keystore.js';
import { issueCertificate, parseCertificate, pemToDers, toPem, type CertInfo } from './x509.js';

const generateKeyPairAsync = promisify(generateKeyPair);

export const DEV_MARK = '(DEVELOPMENT ONLY)';
export const CA_CERT_FILE = 'ca.pem';
const CA_KEY_FILE = 'ca.key.pem';
const DAY_MS = 86_400_000;

export interface DevPkiUnit {
  code: string;
  name: string;
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

/** Writes through a temporary file so a crash never leaves a half-written key behind. */
async function writeSecret(file: string, data: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, data, { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, file);
}

async function newRsaKey(): Promise<KeyObject> {
  const { privateKey } = await generateKeyPairAsync('rsa', { modulusLength: 2048 });
  return privateKey;
}

const encryptKey = (key: KeyObject, passphrase: string): string =>
  key.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase }).toString();

/** File stem for a unit code; codes are already file-safe but nothing else may reach the path. */
export function unitFileStem(code: string): string {
  if (!/^[A-Za-z0-9._-]+$/.test(code) || code.startsWith('.')) throw new AppError('SIGNING_FAILED', `unsafe unit code ${code}`);
  return code;
}

async function loadOrCreateCa(dir: string, passphrase: string, now: Date): Promise<{ cert: CertInfo; key: KeyObject; created: boolean }> {
  const certFile = path.join(dir, CA_CERT_FILE);
  const keyFile = path.join(dir, CA_KEY_FILE);
  if ((await exists(certFile)) && (await exists(keyFile))) {
    let key: KeyObject;
    try {
      key = createPrivateKey({ key: await readFile(keyFile), format: 'pem', passphrase });
    } catch {
      throw new AppError('SIGNING_FAILED', `cannot decrypt ${CA_KEY_FILE} (wrong passphrase?)`);
    }
    const der = pemToDers(await readFile(certFile, 'utf8'))[0];
    if (!der) throw new AppError('SIGNING_FAILED', `${CA_CERT_FILE} holds no certificate`);
    return { cert: parseCertificate(der), key, created: false };
  }
  const key = await newRsaKey();
  const der = issueCertificate({
    kind: 'ca',
    subject: {
      country: 'VN',
      organization: `Hệ thống số hóa Một cửa ${DEV_MARK}`,
      commonName: `CA thử nghiệm Một cửa – Thái Bình ${DEV_MARK}`,
    },
    subjectPublicKey: key,
    selfKey: key,
    notBefore: new Date(now.getTime() - DAY_MS),
    notAfter: new Date(now.getTime() + 10 * 365 * DAY_MS),
  });
  await writeSecret(keyFile, encryptKey(key, passphrase));
  await writeFile(certFile, toPem(der), { mode: 0o644 });
  return { cert: parseCertificate(der), key, created: true };
}

/**
 * Creates the development CA (reused when present) and a key + certificate for every unit that has
 * none yet. Safe to call at every start-up.
 */
export async function initDevPki(opts: {
  dir: string;
  passphrase: string;
  units: DevPkiUnit[];
  now?: Date;
}): Promise<{ created: string[]; caCreated: boolean }> {
  const now = opts.now ?? new Date();
  const unitsDir = path.join(opts.dir, UNITS_SUBDIR);
  await mkdir(unitsDir, { recursive: true, mode: 0o700 });
  const ca = await loadOrCreateCa(opts.dir, opts.passphrase, now);
  const created: string[] = [];
  for (const unit of opts.units) {
    const stem = unitFileStem(unit.code);
    const keyFile = path.join(unitsDir, `${stem}.key.pem`);
    const chainFile = path.join(unitsDir, `${stem}.chain.pem`);
    const hasPem = (await exists(keyFile)) && (await exists(chainFile));
    const hasP12 = (await exists(path.join(unitsDir, `${stem}.p12`))) || (await exists(path.join(unitsDir, `${stem}.pfx`)));
    if (hasPem || hasP12) continue;
    const key = await newRsaKey();
    const der = issueCertificate({
      kind: 'signer',
      subject: {
        country: 'VN',
        organization: `${unit.name} ${DEV_MARK}`,
        commonName: unit.name,
        serialNumber: unit.code,
      },
      subjectPublicKey: key,
      issuer: { cert: ca.cert, key: ca.key },
      notBefore: new Date(now.getTime() - DAY_MS),
      notAfter: new Date(now.getTime() + 3 * 365 * DAY_MS),
    });
    await writeSecret(keyFile, encryptKey(key, opts.passphrase));
    await writeSecret(chainFile, toPem(der) + toPem(ca.cert.der));
    created.push(unit.code);
  }
  return { created, caCreated: ca.created };
}

/** True when the directory has no development CA yet (the app then runs initDevPki). */
export async function devPkiMissing(dir: string): Promise<boolean> {
  return !(await exists(path.join(dir, CA_CERT_FILE)));
}
