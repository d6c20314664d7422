/** Property tests: for arbitrary payloads and ids, sealing round-trips and any tampering is refused. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CryptoError, openMessage, sealMessage } from '../../src/crypto';
import { testUser } from '../helpers/users';

const alice = testUser('alice');
const bob = testUser('bob');

const text = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1_000 });
const id = fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 60 });

const seal = (t: string, clientMsgId: string) =>
  sealMessage({ sender: alice, recipient: bob, clientMsgId, payload: { type: 'text', text: t } });

const open = (envelope: Uint8Array, signature: Uint8Array, clientMsgId: string) =>
  openMessage({
    envelope,
    signature,
    metadata: { senderId: alice.userId, recipientId: bob.userId, clientMsgId },
    senderIdentityKey: alice.identity.identityKey,
    reader: { userId: bob.userId, identities: [bob.identity] },
  });

describe('envelope properties', () => {
  it('any text under any client_msg_id round-trips', () => {
    fc.assert(
      fc.property(text, id, (t, cm) => {
        const s = seal(t, cm);
        expect(open(s.envelope, s.signature, cm).payload).toEqual({ type: 'text', text: t });
      }),
      { numRuns: 60 },
    );
  });

  it('ciphertext sizes reveal only the padded bucket', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 200 }), (t) => {
        // JSON overhead is 25 bytes, so ≤ 200 ASCII characters all land in the 256-byte bucket.
        fc.pre(new TextEncoder().encode(JSON.stringify(t)).length <= 220);
        expect(seal(t, 'x').envelope.length).toBe(seal('a', 'x').envelope.length);
      }),
      { numRuns: 40 },
    );
  });

  it('any byte change anywhere in envelope or signature is refused with a CryptoError', () => {
    const s = seal('the quick brown fox', 'cm');
    fc.assert(
      fc.property(fc.boolean(), fc.nat(), fc.integer({ min: 1, max: 255 }), (inSignature, position, xor) => {
        const env = s.envelope.slice();
        const sig = s.signature.slice();
        const target = inSignature ? sig : env;
        const i = position % target.length;
        target[i] = (target[i] as number) ^ xor;
        expect(() => open(env, sig, 'cm')).toThrow(CryptoError);
      }),
      { numRuns: 300 },
    );
  });

  it('a message never opens under another client_msg_id', () => {
    fc.assert(
      fc.property(id, id, (a, b) => {
        fc.pre(a !== b);
        const s = seal('hi', a);
        expect(() => open(s.envelope, s.signature, b)).toThrow(/another sender, recipient or message id/);
      }),
      { numRuns: 30 },
    );
  });
});
