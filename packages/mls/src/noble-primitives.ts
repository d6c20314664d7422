/**
 * The suite's per-message primitives, chosen for cost. Each application message takes several
 * HKDF steps (secret-tree ratchet, sender-data key and nonce) and one Ed25519 signature or
 * verification; the throwaway bench's profiles showed where ts-mls's defaults spend the time:
 * - HKDF and HMAC over SHA-512 through WebCrypto cost a key import and a thread-pool round trip
 *   per step; @noble/hashes does them synchronously, cheaper for these short inputs.
 * - Ed25519 through WebCrypto is native and several times faster than @noble/curves' BigInt
 *   arithmetic, but ts-mls re-imports the PKCS#8 signing key for every signature; the imported
 *   key is kept here per key array instead.
 * Same primitives, same outputs: test/rfc9420/lockbox-primitives.test.ts runs these through the
 * RFC 9420 vectors.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { expand, extract } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha512 } from '@noble/hashes/sha2.js';
import type { Hash, Kdf, Signature } from 'ts-mls';
import { equalBytes } from './bytes';

export const nobleHkdfSha512: Kdf = {
  extract: async (salt, ikm) => extract(sha512, ikm, salt),
  expand: async (prk, info, len) => expand(sha512, prk, info, len),
  size: 64,
};

export const nobleSha512: Hash = {
  digest: async (data) => sha512(data),
  mac: async (key, data) => hmac(sha512, key, data),
  verifyMac: async (key, mac, data) => equalBytes(hmac(sha512, key, data), mac),
};

/** RFC 8410 PKCS#8 wrapping of a 32-byte Ed25519 seed: the fixed 16-byte prefix, then the seed. */
const PKCS8_ED25519_PREFIX = Uint8Array.from([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
]);
const toBuffer = (b: Uint8Array): ArrayBuffer => b.slice().buffer as ArrayBuffer;

/**
 * Imported signing keys by seed array. A copy of the seed sits beside each key so a seed array
 * whose bytes changed (zeroed, reused) is re-imported rather than signing with stale bytes.
 */
const signingKeys = new WeakMap<Uint8Array, { seed: Uint8Array; key: Promise<CryptoKey> }>();

const importSigningKey = (subtle: SubtleCrypto, seed: Uint8Array): Promise<CryptoKey> => {
  const cached = signingKeys.get(seed);
  if (cached !== undefined && equalBytes(cached.seed, seed)) return cached.key;
  const pkcs8 = new Uint8Array(48);
  pkcs8.set(PKCS8_ED25519_PREFIX);
  pkcs8.set(seed, 16);
  const key = subtle.importKey('pkcs8', toBuffer(pkcs8), 'Ed25519', false, ['sign']);
  pkcs8.fill(0);
  signingKeys.set(seed, { seed: seed.slice(), key });
  return key;
};

/** Ed25519 with 32-byte seeds as signing keys; WebCrypto where the runtime has it, else @noble/curves. */
export const makeEd25519 = async (): Promise<Signature> => {
  const subtle = globalThis.crypto?.subtle;
  const probe = ed25519.utils.randomSecretKey();
  const native =
    subtle !== undefined &&
    (await importSigningKey(subtle, probe).then(
      () => true,
      () => false,
    ));
  return {
    sign: async (signKey, message) => {
      if (signKey.length !== 32) throw new RangeError('Ed25519 signing keys here are 32-byte seeds');
      if (!native) return ed25519.sign(message, signKey);
      const key = await importSigningKey(subtle!, signKey);
      return new Uint8Array(await subtle!.sign('Ed25519', key, toBuffer(message)));
    },
    verify: async (publicKey, message, signature) => {
      try {
        if (!native) return ed25519.verify(signature, message, publicKey, { zip215: false });
        const key = await subtle!.importKey('raw', toBuffer(publicKey), 'Ed25519', false, ['verify']);
        return await subtle!.verify('Ed25519', key, toBuffer(signature), toBuffer(message));
      } catch {
        return false;
      }
    },
    keygen: async () => {
      const signKey = ed25519.utils.randomSecretKey();
      return { signKey, publicKey: ed25519.getPublicKey(signKey) };
    },
  };
};
