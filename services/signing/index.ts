// Signing and verification of digitized documents (PAdES baseline B-B, B-T with a TSA).
//
// Key custody is behind `Signer`: the software implementation (keystore.ts) holds a decrypted
// KeyObject in a closure; an HSM or USB token implementation only has to provide the same
// `certificateChainDer` and an RSA-SHA256 `sign(data)` (e.g. through PKCS#11), and every caller,
// the CMS builder included, works unchanged.
export type { Signer, SigningKeyStore, TrustStore, SignOptions, Verification } from './types.js';
export { loadSigningKeys, softwareSigner } from './keystore.js';
export { initDevPki, devPkiMissing, DEV_MARK } from './devpki.js';
export { loadTrustStore } from './trust.js';
export { signPdf } from './sign.js';
export { isSigned, findSignatures } from './signatures.js';
export { verifyPdf, listSignatures, type SignatureSummary } from './verify.js';
