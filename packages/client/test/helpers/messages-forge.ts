/**
 * Builds envelopes the honest sealer never would — a wrong key commitment, a
 * third wrap, non-canonical padding — and signs them properly with the
 * sender's key, so a test reaches exactly the one opening check it means to
 * exercise (a byte flip alone stops at the signature).
 */
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import {
  commitToKey,
  concatBytes,
  ENVELOPE_VERSION,
  type EnvelopeHeader,
  encodeEnvelope,
  encodeHeader,
  encodePayload,
  type KeyWrap,
  ROLE,
  SIGNATURE_CONTEXT,
  utf8,
  wrapContentKey,
} from '../../src/crypto';
import { seededRandom } from './seeded-random';
import type { TestUser } from './users';

export interface ForgeOptions {
  clientMsgId?: string;
  /** Replaces the honest header's fields (the commitment, say). */
  header?: Partial<EnvelopeHeader>;
  /** The exact plaintext to encrypt instead of an encoded text payload. */
  plaintext?: Uint8Array;
  /** Rewrites the two honest wraps (drop one, add a third, change a role). */
  wraps?: (honest: KeyWrap[]) => KeyWrap[];
  /** Changes the ciphertext after encryption. */
  ciphertext?: (honest: Uint8Array) => Uint8Array;
}

export const forgeEnvelope = (from: TestUser, to: TestUser, opts: ForgeOptions = {}) => {
  const random = seededRandom(`forge:${opts.clientMsgId ?? 'cm-1'}`);
  const contentKey = random(32);
  const header: EnvelopeHeader = {
    version: ENVELOPE_VERSION,
    senderId: from.userId,
    recipientId: to.userId,
    clientMsgId: opts.clientMsgId ?? 'cm-1',
    timestamp: 1_736_000_000_000,
    senderIdentityKey: from.identity.identityKey,
    recipientIdentityKey: to.identity.identityKey,
    nonce: random(24),
    keyCommitment: commitToKey(contentKey),
    ...opts.header,
  };
  const headerBytes = encodeHeader(header);
  const plaintext = opts.plaintext ?? encodePayload({ type: 'text', text: 'forged but signed' });
  const sealedBody = xchacha20poly1305(contentKey, header.nonce, headerBytes).encrypt(plaintext);
  const ciphertext = opts.ciphertext ? opts.ciphertext(sealedBody) : sealedBody;
  const honestWraps = [
    wrapContentKey(contentKey, to.identity.kemPublicKey, ROLE.recipient, headerBytes, random),
    wrapContentKey(contentKey, from.identity.kemPublicKey, ROLE.sender, headerBytes, random),
  ];
  const wraps = opts.wraps ? opts.wraps(honestWraps) : honestWraps;
  const envelope = encodeEnvelope(headerBytes, wraps, ciphertext);
  const signature = ed25519.sign(
    concatBytes(utf8(SIGNATURE_CONTEXT), Uint8Array.of(0), envelope),
    from.identity.secrets.signingSeed,
  );
  return { envelope, signature };
};

/** u32 length ‖ bytes ‖ zeros up to `total` (no Padmé): a plaintext of any shape. */
export const rawPlaintext = (body: Uint8Array, total: number): Uint8Array => {
  const out = new Uint8Array(total);
  new DataView(out.buffer).setUint32(0, body.length);
  out.set(body, 4);
  return out;
};
