import { type CiphersuiteImpl, getCiphersuiteFromName, getCiphersuiteImpl } from 'ts-mls';

/**
 * LockBox's one MLS ciphersuite: X-Wing (ML-KEM-768 + X25519) for HPKE, ChaCha20-Poly1305,
 * HKDF/SHA-512, Ed25519. Its codepoint (0x0054 in ts-mls 1.6.4) is not registered with IANA:
 * LockBox groups only ever talk to LockBox clients (docs/SECURITY.md section 10).
 */
export const LOCKBOX_CIPHERSUITE = 'MLS_256_XWING_CHACHA20POLY1305_SHA512_Ed25519' as const;

let loading: Promise<CiphersuiteImpl> | undefined;

/**
 * The suite's implementation, built once per process (building it loads X-Wing and ChaCha
 * modules). ts-mls's default provider: SHA-512, HMAC and Ed25519 through WebCrypto (Node 20 and
 * current browsers have all three), ChaCha20-Poly1305 from @noble/ciphers, X-Wing from
 * @hpke/hybridkem-x-wing.
 */
export const loadCiphersuite = (): Promise<CiphersuiteImpl> => {
  loading ??= getCiphersuiteImpl(getCiphersuiteFromName(LOCKBOX_CIPHERSUITE));
  return loading;
};
