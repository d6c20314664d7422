/**
 * Each vector runs twice: on ts-mls's own primitives for its suite, and with LockBox's
 * replacements (src/noble-primitives.ts) swapped in wherever the suite uses the same algorithm
 * (SHA-512 hash, HKDF-SHA-512, Ed25519). No vector has LockBox's X-Wing suite, so this is how
 * LockBox's HKDF, HMAC and Ed25519 code meet the RFC 9420 vectors.
 */
import { type CiphersuiteId, type CiphersuiteImpl, getCiphersuiteFromId } from 'ts-mls/crypto/ciphersuite.js';
import { getCiphersuiteImpl } from 'ts-mls/crypto/getCiphersuiteImpl.js';
import { makeEd25519, nobleHkdfSha512, nobleSha512 } from '../../src/noble-primitives';

export const implementationsFor = async (id: number): Promise<CiphersuiteImpl[]> => {
  const suite = getCiphersuiteFromId(id as CiphersuiteId);
  const tsMls = await getCiphersuiteImpl(suite);
  const swaps: Partial<CiphersuiteImpl> = {
    ...(suite.hash === 'SHA-512' ? { hash: nobleSha512 } : {}),
    ...(suite.hpke.kdf === 'HKDF-SHA512' ? { kdf: nobleHkdfSha512 } : {}),
    ...(suite.signature === 'Ed25519' ? { signature: await makeEd25519() } : {}),
  };
  return Object.keys(swaps).length === 0 ? [tsMls] : [tsMls, { ...tsMls, ...swaps }];
};
