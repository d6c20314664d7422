import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromBase64, identityFromSecrets, openMessage, sealMessage, toBase64 } from '../../src/crypto';
import {
  buildVectors,
  type EnvelopeVector,
  hexBytes,
  replaying,
  type VectorParty,
} from '../vectors/envelope-vectors';

const committed = JSON.parse(
  fs.readFileSync(new URL('../vectors/envelope-v1.json', import.meta.url), 'utf8'),
) as { vectors: EnvelopeVector[] };

const identityOf = (p: VectorParty) =>
  identityFromSecrets({
    signingSeed: hexBytes(p.signing_seed_hex),
    kemSeed: hexBytes(p.kem_seed_hex),
    createdAt: p.created_at,
  });

describe('envelope v1 known-answer vectors (test/vectors/envelope-v1.json)', () => {
  it('the committed file is what the generator produces', async () => {
    expect(await buildVectors()).toEqual(committed.vectors);
  });

  for (const v of committed.vectors) {
    describe(v.name, () => {
      const sender = identityOf(v.sender);
      const recipient = identityOf(v.recipient);

      it('sealing with the recorded randomness reproduces the envelope and signature byte for byte', () => {
        const sealed = sealMessage({
          sender: { userId: v.sender.user_id, identity: sender },
          recipient: { userId: v.recipient.user_id, identity: recipient },
          clientMsgId: v.client_msg_id,
          timestamp: v.timestamp,
          payload: v.payload,
          random: replaying(v.random_hex.map(hexBytes)),
        });
        expect(toBase64(sealed.envelope)).toBe(v.envelope_b64);
        expect(toBase64(sealed.signature)).toBe(v.signature_b64);
      });

      it('opens for the recipient and for the sender', () => {
        const metadata = {
          senderId: v.sender.user_id,
          recipientId: v.recipient.user_id,
          clientMsgId: v.client_msg_id,
        };
        for (const reader of [
          { userId: v.recipient.user_id, identities: [recipient] },
          { userId: v.sender.user_id, identities: [sender] },
        ]) {
          const opened = openMessage({
            envelope: fromBase64(v.envelope_b64),
            signature: fromBase64(v.signature_b64),
            metadata,
            senderIdentityKey: hexBytes(v.sender.identity_key_hex),
            reader,
          });
          expect(opened.payload).toEqual(v.payload);
          expect(opened.header.timestamp).toBe(v.timestamp);
        }
      });
    });
  }
});
