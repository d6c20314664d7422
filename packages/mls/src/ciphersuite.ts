import { type CiphersuiteImpl, getCiphersuiteFromName, getCiphersuiteImpl } from 'ts-mls';
import { makeEd25519, nobleHkdfSha512, nobleSha512 } from './noble-primitives';

/**
 * LockBox's one MLS ciphersuite: X-Wing (ML-KEM-768 + X25519) for HPKE, ChaCha20-Poly1305,
 * HKDF/SHA-512, Ed25519. Its codepoint (0x0054 in ts-mls 1.6.4) is not registered with IANA:
 * LockBox groups only ever talk to LockBox clients (docs/SECURITY.md section 10).
 */
export const LOCKBOX_CIPHERSUITE = 'MLS_256_XWING_CHACHA20POLY1305_SHA512_Ed25519' as const;

let loading: Promise<CiphersuiteImpl> | undefined;

/**
 * The suite's implementation, built once per process (building it loads X-Wing and ChaCha
 * modules): HPKE from ts-mls's default provider (X-Wing from @hpke/hybridkem-x-wing,
 * ChaCha20-Poly1305 from @noble/ciphers); hash and HKDF from @noble/hashes and Ed25519 with a
 * cached imported key (see noble-primitives.ts for why).
 */
export const loadCiphersuite = (): Promise<CiphersuiteImpl> => {
  loading ??= Promise.all([
    getCiphersuiteImpl(getCiphersuiteFromName(LOCKBOX_CIPHERSUITE)),
    makeEd25519(),
  ]).then(([impl, signature]) => ({ ...impl, hash: nobleSha512, kdf: nobleHkdfSha512, signature }));
  return loading;
};
