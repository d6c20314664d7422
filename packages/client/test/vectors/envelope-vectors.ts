/**
 * Known-answer vectors for envelope v1. Each case records every random byte
 * the sealer consumed, in order (payload nonce 24, content key 32, recipient
 * encapsulation 64, sender encapsulation 64), so another implementation can
 * reproduce the envelope byte for byte without our test RNG.
 *
 * Regenerate (only when the format deliberately changes, with a new version):
 *   npx tsx test/vectors/envelope-vectors.ts > test/vectors/envelope-v1.json
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import { generateIdentity, type Payload, type RandomSource, sealMessage, toBase64 } from '../../src/crypto';
import { seededRandom } from '../helpers/seeded-random';

export interface VectorParty {
  user_id: string;
  signing_seed_hex: string;
  kem_seed_hex: string;
  created_at: string;
  identity_key_hex: string;
  kem_public_key_sha256_hex: string;
}

export interface EnvelopeVector {
  name: string;
  sender: VectorParty;
  recipient: VectorParty;
  client_msg_id: string;
  timestamp: number;
  payload: Payload;
  random_hex: string[];
  envelope_b64: string;
  signature_b64: string;
}

const recording =
  (inner: RandomSource, log: Uint8Array[]): RandomSource =>
  (n) => {
    const out = inner(n);
    log.push(out.slice());
    return out;
  };

export const replaying = (chunks: Uint8Array[]): RandomSource => {
  let i = 0;
  return (n) => {
    const next = chunks[i++];
    if (!next || next.length !== n) throw new Error(`vector randomness out of step at draw ${i}`);
    return next.slice();
  };
};

export const hexBytes = (hex: string) =>
  Uint8Array.from(hex.match(/../g) ?? [], (b) => Number.parseInt(b, 16));

const party = async (
  userId: string,
  seed: string,
): Promise<{ view: VectorParty; identity: ReturnType<typeof generateIdentity> }> => {
  const identity = generateIdentity(seededRandom(seed), new Date('2025-01-01T00:00:00.000Z'));
  const { sha256 } = await import('@noble/hashes/sha2.js');
  return {
    identity,
    view: {
      user_id: userId,
      signing_seed_hex: bytesToHex(identity.secrets.signingSeed),
      kem_seed_hex: bytesToHex(identity.secrets.kemSeed),
      created_at: identity.secrets.createdAt,
      identity_key_hex: bytesToHex(identity.identityKey),
      kem_public_key_sha256_hex: bytesToHex(sha256(identity.kemPublicKey)),
    },
  };
};

export const buildVectors = async (): Promise<EnvelopeVector[]> => {
  const alice = await party('usr_0000000000000000000000a11c', 'vector:alice');
  const bob = await party('usr_0000000000000000000000b0b0', 'vector:bob');
  const cases: Array<{ name: string; clientMsgId: string; payload: Payload }> = [
    { name: 'short text', clientMsgId: 'cmsg-0001', payload: { type: 'text', text: 'hello, bob' } },
    {
      name: 'unicode text past the 256-byte padding floor',
      clientMsgId: 'cmsg-0002',
      payload: { type: 'text', text: `Grüße 👋 ${'ключ '.repeat(60)}` },
    },
  ];
  return cases.map((c) => {
    const log: Uint8Array[] = [];
    const sealed = sealMessage({
      sender: { userId: alice.view.user_id, identity: alice.identity },
      recipient: { userId: bob.view.user_id, identity: bob.identity },
      clientMsgId: c.clientMsgId,
      payload: c.payload,
      timestamp: 1_750_000_000_000,
      random: recording(seededRandom(`vector:${c.name}`), log),
    });
    return {
      name: c.name,
      sender: alice.view,
      recipient: bob.view,
      client_msg_id: c.clientMsgId,
      timestamp: 1_750_000_000_000,
      payload: c.payload,
      random_hex: log.map(bytesToHex),
      envelope_b64: toBase64(sealed.envelope),
      signature_b64: toBase64(sealed.signature),
    };
  });
};

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(
    `${JSON.stringify({ format: 'lockbox envelope v1', vectors: await buildVectors() }, null, 2)}\n`,
  );
}
