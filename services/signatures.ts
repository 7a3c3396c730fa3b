// The units' signing identities and the trust anchors, loaded once per process. In development the PKI
// is created on first start (clearly marked development-only); production mounts real certificates.
import path from 'node:path';
import {
  devPkiMissing,
  initDevPki,
  loadSigningKeys,
  loadTrustStore,
  verifyPdf,
  type Signer,
  type SigningKeyStore,
  type TrustStore,
  type Verification,
} from './signing/index.js';
import type { Config } from './config.js';
import type { Logger } from './logger.js';
import type { UnitDirectory } from './units.js';
import { AppError } from './errors.js';

export class Signatures {
  private keys: Promise<SigningKeyStore> | null = null;
  private trust: Promise<TrustStore> | null = null;
  readonly dir: string;

  constructor(
    private readonly config: Config,
    private readonly log: Logger,
  ) {
    this.dir = config.PKI_DIR ? path.resolve(config.PKI_DIR) : path.join(config.dataDir, 'pki');
  }

  /** Development: creates the CA and any missing unit certificate. Never in production. */
  async ensureDevPki(units: UnitDirectory): Promise<void> {
    if (this.config.NODE_ENV === 'production') return;
    const missing = await devPkiMissing(this.dir);
    const { created } = await initDevPki({
      dir: this.dir,
      passphrase: this.config.SIGNING_KEY_PASSPHRASE,
      units: units.all().map((u) => ({ code: u.code, name: u.name })),
    });
    if (missing || created.length > 0) {
      this.log.warn({ dir: this.dir, units: created.length }, 'created DEVELOPMENT-ONLY signing certificates; production needs certificates from a licensed CA');
    }
    this.keys = null;
    this.trust = null;
  }

  async signer(unitCode: string): Promise<Signer> {
    this.keys ??= loadSigningKeys({ dir: this.dir, passphrase: this.config.SIGNING_KEY_PASSPHRASE });
    const signer = (await this.keys).get(unitCode);
    if (!signer) throw new AppError('SIGNER_MISSING', unitCode);
    return signer;
  }

  async verify(pdf: Uint8Array): Promise<Verification> {
    this.trust ??= loadTrustStore({ dir: this.dir });
    return verifyPdf(pdf, await this.trust);
  }
}
