// The units' signing identities and the trust anchors, loaded once per process. In development the PKI
// is created on first start (clearly marked development-only); production mounts real certificates.
import { stat } from 'node:fs/promises';
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
import { AppError, bi } from './errors.js';

/** Identities are re-read from disk after this long, and at once when the directory changed. */
const KEYS_TTL_MS = 10 * 60_000;

/** When the PKI's units directory last changed (a certificate added, renamed or replaced). */
async function unitsDirStamp(dir: string): Promise<number> {
  return stat(path.join(dir, 'units')).then(
    (s) => s.mtimeMs,
    () => 0,
  );
}

export class Signatures {
  private keys: Promise<SigningKeyStore> | null = null;
  private keysLoadedAt = 0;
  private keysStamp = 0;
  private trust: Promise<TrustStore> | null = null;
  readonly dir: string;

  constructor(
    private readonly config: Config,
    private readonly log: Logger,
  ) {
    this.dir = config.PKI_DIR ? path.resolve(config.PKI_DIR) : path.join(config.dataDir, 'pki');
  }

  /** Development: creates the CA and any missing unit certificate (returns how many). Never in production. */
  async ensureDevPki(units: UnitDirectory): Promise<number> {
    if (this.config.NODE_ENV === 'production') return 0;
    const missing = await devPkiMissing(this.dir);
    const { created } = await initDevPki({
      dir: this.dir,
      passphrase: this.config.SIGNING_KEY_PASSPHRASE,
      units: units.all().map((u) => ({ code: u.code, name: u.name })),
    });
    if (missing || created.length > 0) {
      this.log.warn({ dir: this.dir, units: created.length }, 'created DEVELOPMENT-ONLY signing certificates; production needs certificates from a licensed CA');
    }
    this.reload();
    return created.length;
  }

  /** Forgets the loaded identities and trust anchors (a certificate was installed or renewed). */
  reload(): void {
    this.keys = null;
    this.trust = null;
  }

  private async loadKeys(): Promise<SigningKeyStore> {
    if (!this.keys || Date.now() - this.keysLoadedAt > KEYS_TTL_MS) {
      this.keysLoadedAt = Date.now();
      this.keysStamp = await unitsDirStamp(this.dir);
      this.keys = loadSigningKeys({ dir: this.dir, passphrase: this.config.SIGNING_KEY_PASSPHRASE });
      this.keys.catch(() => (this.keys = null));
    }
    return this.keys;
  }

  /**
   * The unit's signing identity. A unit without one makes this process look whether the PKI directory
   * changed since it was read, and re-read it, so "install the certificate, then retry" works in every
   * process without a restart.
   */
  async signer(unitCode: string): Promise<Signer> {
    let signer = (await this.loadKeys()).get(unitCode);
    if (!signer && (await unitsDirStamp(this.dir)) !== this.keysStamp) {
      this.keys = null;
      signer = (await this.loadKeys()).get(unitCode);
    }
    if (!signer) {
      throw new AppError(
        'SIGNER_MISSING',
        bi(`đơn vị ${unitCode} chưa có chứng thư ký số trong ${this.dir}/units; cài chứng thư rồi chạy lại tài liệu`, `unit ${unitCode} has no signing certificate in ${this.dir}/units; install it, then retry the document`),
      );
    }
    return signer;
  }

  async verify(pdf: Uint8Array): Promise<Verification> {
    this.trust ??= loadTrustStore({ dir: this.dir });
    return verifyPdf(pdf, await this.trust);
  }
}
