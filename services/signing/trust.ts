// Trust anchors for verification: the development CA of `<dir>` (when present), every certificate in
// `<dir>/trust/`, and any configured CA files (e.g. the national root and licensed CA certificates).
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../errors.js';
import { CA_CERT_FILE } from './devpki.js';
import type { TrustStore } from './types.js';
import { pemToDers } from './x509.js';

async function readCerts(file: string): Promise<Buffer[]> {
  const bytes = await readFile(file);
  const text = bytes.toString('latin1');
  return text.includes('-----BEGIN CERTIFICATE-----') ? pemToDers(text) : [bytes];
}

export async function loadTrustStore(opts: { dir: string; extraCaFiles?: string[] }): Promise<TrustStore> {
  const files: string[] = [];
  const devCa = path.join(opts.dir, CA_CERT_FILE);
  try {
    await readFile(devCa);
    files.push(devCa);
  } catch {
    // No development CA: production deployments trust only configured anchors.
  }
  const trustDir = path.join(opts.dir, 'trust');
  try {
    for (const name of (await readdir(trustDir)).sort()) {
      if (/\.(pem|crt|cer|der)$/i.test(name)) files.push(path.join(trustDir, name));
    }
  } catch {
    // Optional directory.
  }
  const anchorsDer: Buffer[] = [];
  for (const file of [...files, ...(opts.extraCaFiles ?? [])]) {
    try {
      anchorsDer.push(...(await readCerts(file)));
    } catch {
      throw new AppError('SIGNING_FAILED', `cannot read CA certificate ${path.basename(file)}`);
    }
  }
  return { anchorsDer };
}
