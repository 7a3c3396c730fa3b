// Software signing identities: one per unit, read once from `<dir>/units/` as either
// `<code>.p12` / `<code>.pfx` or `<code>.key.pem` (encrypted PKCS#8) plus `<code>.chain.pem`.
// Private keys stay inside closures as KeyObjects so they cannot leak through logging or JSON.
import { X509Certificate, createPrivateKey, createPublicKey, sign as rsaSign, type KeyObject } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import forge from 'node-forge';
import { AppError } from '../errors.js';
import type { Signer, SigningKeyStore } from './types.js';
import { displayName, parseCertificate, pemToDers, unitCodeOf } from './x509.js';

export const UNITS_SUBDIR = 'units';

const BAG = {
  key: '1.2.840.113549.1.12.10.1.1',
  shroudedKey: '1.2.840.113549.1.12.10.1.2',
  cert: '1.2.840.113549.1.12.10.1.3',
} as const;

export function softwareSigner(key: KeyObject, chainDer: Buffer[], fallbackCode: string): Signer {
  const leafDer = chainDer[0];
  if (!leafDer) throw new AppError('SIGNING_FAILED', `empty certificate chain for ${fallbackCode}`);
  const leaf = parseCertificate(leafDer);
  const unitCode = unitCodeOf(leaf.subject) ?? fallbackCode;
  return Object.freeze({
    unitCode,
    displayName: displayName(leaf.subject) ?? unitCode,
    certificateChainDer: chainDer,
    sign: async (data: Buffer): Promise<Buffer> => rsaSign('sha256', data, key),
  });
}

function keyMatchesCert(key: KeyObject, certDer: Buffer): boolean {
  const fromKey = createPublicKey(key).export({ type: 'spki', format: 'der' });
  const fromCert = new X509Certificate(certDer).publicKey.export({ type: 'spki', format: 'der' });
  return fromKey.equals(fromCert);
}

async function loadPemIdentity(keyFile: string, chainFile: string, passphrase: string, code: string): Promise<Signer> {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: await readFile(keyFile), format: 'pem', passphrase });
  } catch {
    // The underlying error may quote key material; only the file name is reported.
    throw new AppError('SIGNING_FAILED', `cannot decrypt ${path.basename(keyFile)} (wrong passphrase or damaged file)`);
  }
  const chain = pemToDers(await readFile(chainFile, 'utf8'));
  const leaf = chain[0];
  if (!leaf || !keyMatchesCert(key, leaf)) {
    throw new AppError('SIGNING_FAILED', `${path.basename(chainFile)} does not start with the certificate of its key`);
  }
  return softwareSigner(key, chain, code);
}

async function loadP12Identity(file: string, passphrase: string, code: string): Promise<Signer> {
  let key: KeyObject;
  const chain: Buffer[] = [];
  try {
    const der = await readFile(file);
    const p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(der.toString('binary')), passphrase);
    const keyBags = [
      ...(p12.getBags({ bagType: BAG.shroudedKey })[BAG.shroudedKey] ?? []),
      ...(p12.getBags({ bagType: BAG.key })[BAG.key] ?? []),
    ];
    const forgeKey = keyBags[0]?.key;
    if (!forgeKey) throw new Error('no key');
    key = createPrivateKey(forge.pki.privateKeyToPem(forgeKey));
    for (const bag of p12.getBags({ bagType: BAG.cert })[BAG.cert] ?? []) {
      // certificateToAsn1 reuses the parsed TBSCertificate bytes; rebuilding them from forge's
      // attribute objects would double-encode UTF-8 (Vietnamese) names and void the CA signature.
      const asn1 = bag.asn1 ?? (bag.cert ? forge.pki.certificateToAsn1(bag.cert) : undefined);
      if (asn1) chain.push(Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary'));
    }
  } catch {
    throw new AppError('SIGNING_FAILED', `cannot open ${path.basename(file)} (wrong passphrase or unsupported PKCS#12)`);
  }
  return softwareSigner(key, orderChain(key, chain, file), code);
}

/** PKCS#12 bags are unordered: put the key's certificate first, then follow issuers. */
function orderChain(key: KeyObject, certs: Buffer[], file: string): Buffer[] {
  const leaf = certs.find((c) => keyMatchesCert(key, c));
  if (!leaf) throw new AppError('SIGNING_FAILED', `${path.basename(file)} holds no certificate for its key`);
  const infos = certs.map(parseCertificate);
  const ordered = [leaf];
  let current = parseCertificate(leaf);
  for (let i = 0; i < certs.length; i++) {
    if (current.issuerDer.equals(current.subjectDer)) break;
    const next = infos.find((c) => c.subjectDer.equals(current.issuerDer) && !ordered.includes(c.der));
    if (!next) break;
    ordered.push(next.der);
    current = next;
  }
  return ordered;
}

export async function loadSigningKeys(opts: { dir: string; passphrase: string }): Promise<SigningKeyStore> {
  const unitsDir = path.join(opts.dir, UNITS_SUBDIR);
  let names: string[] = [];
  try {
    names = await readdir(unitsDir);
  } catch {
    names = [];
  }
  const signers = new Map<string, Signer>();
  for (const name of names.sort()) {
    let signer: Signer | null = null;
    const p12 = /^(.+)\.(p12|pfx)$/i.exec(name);
    const pem = /^(.+)\.key\.pem$/.exec(name);
    if (p12?.[1]) signer = await loadP12Identity(path.join(unitsDir, name), opts.passphrase, p12[1]);
    else if (pem?.[1]) {
      const chainFile = path.join(unitsDir, `${pem[1]}.chain.pem`);
      signer = await loadPemIdentity(path.join(unitsDir, name), chainFile, opts.passphrase, pem[1]);
    }
    if (signer) signers.set(signer.unitCode, signer);
  }
  return {
    get: (unitCode) => signers.get(unitCode),
    units: () => [...signers.keys()],
  };
}
