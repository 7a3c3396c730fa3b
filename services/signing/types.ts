// Public shapes of the signing library. A Signer hides where its private key lives: the software
// implementation keeps a node:crypto KeyObject in a closure; an HSM/token implementation would
// forward `sign` to PKCS#11 and return the same RSA-SHA256 (PKCS#1 v1.5) signature bytes.

export interface Signer {
  unitCode: string;
  displayName: string;
  /** DER certificates, leaf first, up to (and ideally including) the root. */
  certificateChainDer: Buffer[];
  /** RSA-SHA256 (PKCS#1 v1.5) signature over `data`. */
  sign(data: Buffer): Promise<Buffer>;
}

export interface SigningKeyStore {
  get(unitCode: string): Signer | undefined;
  units(): string[];
}

export interface TrustStore {
  /** DER trust anchors (root or intermediate CA certificates the deployment trusts). */
  anchorsDer: Buffer[];
}

export interface SignOptions {
  /** Document code printed in the stamp. */
  code: string;
  /** Claimed signing time; written to /M (never inside the CMS, as PAdES requires). */
  signedAt: Date;
  reason?: string;
  location?: string;
  /** RFC 3161 TSA endpoint: adds a signature timestamp (PAdES B-T). */
  tsaUrl?: string;
  /** Extra stamp lines under signer, time and code. */
  stampLines?: string[];
}

export interface Verification {
  valid: boolean;
  intact: boolean;
  coversWholeDocument: boolean;
  signer: string | null;
  unitCode: string | null;
  signedAt: string | null;
  chainTrusted: boolean;
  timestamp: string | null;
  reason: string | null;
}
