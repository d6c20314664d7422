import { ed25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import {
  CryptoError,
  type CryptoErrorCode,
  concatBytes,
  decodeEnvelope,
  ENVELOPE_VERSION,
  encodeEnvelope,
  type OpenInput,
  openMessage,
  ROLE,
  SIGNATURE_CONTEXT,
  sealMessage,
  systemRandom,
  utf8,
  wrapContentKey,
} from '../../src/crypto';
import { seededRandom } from '../helpers/seeded-random';
import { type TestUser, testUser } from '../helpers/users';

const alice = testUser('alice');
const bob = testUser('bob');
const carol = testUser('carol');

const seal = (from: TestUser, to: TestUser, text = 'hello bob', clientMsgId = 'cm-1') =>
  sealMessage({
    sender: from,
    recipient: to,
    clientMsgId,
    payload: { type: 'text', text },
    timestamp: 1_736_000_000_000,
    random: seededRandom(`seal:${text}:${clientMsgId}`),
  });

const openAs = (reader: TestUser, sealed: ReturnType<typeof seal>, overrides: Partial<OpenInput> = {}) =>
  openMessage({
    envelope: sealed.envelope,
    signature: sealed.signature,
    metadata: { senderId: alice.userId, recipientId: bob.userId, clientMsgId: 'cm-1' },
    senderIdentityKey: alice.identity.identityKey,
    reader: { userId: reader.userId, identities: [reader.identity] },
    ...overrides,
  });

const codeOf = (fn: () => unknown): CryptoErrorCode | 'no error' | 'not a CryptoError' => {
  try {
    fn();
    return 'no error';
  } catch (err) {
    return err instanceof CryptoError ? err.code : 'not a CryptoError';
  }
};

describe('envelope v1', () => {
  const sealed = seal(alice, bob);

  it('the recipient opens it and reads the text', () => {
    const opened = openAs(bob, sealed);
    expect(opened.payload).toEqual({ type: 'text', text: 'hello bob' });
    expect(opened.header.senderId).toBe(alice.userId);
    expect(opened.header.recipientId).toBe(bob.userId);
    expect(opened.header.version).toBe(ENVELOPE_VERSION);
  });

  it("the sender's other logins open their own copy (sender wrap)", () => {
    expect(openAs(alice, sealed).payload).toEqual({ type: 'text', text: 'hello bob' });
  });

  it('a third user cannot open it, even claiming to be the recipient', () => {
    expect(codeOf(() => openAs(carol, sealed))).toBe('not_for_me');
    // Carol presents her key as if it were Bob's: the wrap was not made for it.
    const impostor = { ...carol.identity, identityKey: bob.identity.identityKey };
    expect(
      codeOf(() => openAs(bob, sealed, { reader: { userId: bob.userId, identities: [impostor] } })),
    ).toBe('decrypt_failed');
  });

  it('the plaintext appears nowhere in the envelope bytes', () => {
    const text = 'a very recognisable secret sentence';
    const s = seal(alice, bob, text);
    const haystack = new TextDecoder('latin1').decode(s.envelope);
    expect(haystack).not.toContain(text);
    expect(haystack).not.toContain('recognisable');
  });

  it('flipping any single byte of the envelope is rejected', () => {
    const codes = new Set<string>();
    for (let i = 0; i < sealed.envelope.length; i++) {
      const tampered = sealed.envelope.slice();
      tampered[i] = (tampered[i] as number) ^ 0x01;
      const code = codeOf(() => openAs(bob, { ...sealed, envelope: tampered }));
      if (code === 'no error' || code === 'not a CryptoError') throw new Error(`byte ${i} flip: ${code}`);
      codes.add(code);
    }
    expect([...codes].sort()).toEqual(
      expect.arrayContaining(['bad_signature', 'metadata_mismatch', 'unsupported_version']),
    );
  });

  it('flipping any single byte of the signature is rejected', () => {
    for (let i = 0; i < sealed.signature.length; i++) {
      const tampered = sealed.signature.slice();
      tampered[i] = (tampered[i] as number) ^ 0x80;
      expect(codeOf(() => openAs(bob, { ...sealed, signature: tampered }))).toBe('bad_signature');
    }
  });

  it('truncated or extended envelopes and signatures are rejected', () => {
    expect(codeOf(() => openAs(bob, { ...sealed, envelope: sealed.envelope.slice(0, -1) }))).toBe(
      'malformed',
    );
    const longer = new Uint8Array(sealed.envelope.length + 1);
    longer.set(sealed.envelope);
    expect(codeOf(() => openAs(bob, { ...sealed, envelope: longer }))).toBe('malformed');
    expect(codeOf(() => openAs(bob, { ...sealed, signature: sealed.signature.slice(0, 63) }))).toBe(
      'bad_signature',
    );
    expect(codeOf(() => openAs(bob, { ...sealed, envelope: new Uint8Array() }))).toBe('malformed');
  });

  it('an unknown version byte is refused as such (room for a ratchet later)', () => {
    const v2 = sealed.envelope.slice();
    v2[0] = 2;
    expect(codeOf(() => openAs(bob, { ...sealed, envelope: v2 }))).toBe('unsupported_version');
  });

  it('a forgery signed by another key is rejected', () => {
    // Carol builds a message that claims to come from Alice, with Alice's key in the header.
    const forged = sealMessage({
      sender: {
        userId: alice.userId,
        identity: { ...carol.identity, identityKey: alice.identity.identityKey },
      },
      recipient: bob,
      clientMsgId: 'cm-1',
      payload: { type: 'text', text: 'send money' },
    });
    expect(codeOf(() => openAs(bob, forged))).toBe('bad_signature');
    // With her own key in the header it is a validly signed message from an unpinned key.
    const honest = sealMessage({
      sender: { userId: alice.userId, identity: carol.identity },
      recipient: bob,
      clientMsgId: 'cm-1',
      payload: { type: 'text', text: 'send money' },
    });
    expect(codeOf(() => openAs(bob, honest))).toBe('key_changed');
  });

  it('a message replayed under another client_msg_id, recipient or sender is rejected', () => {
    const meta = { senderId: alice.userId, recipientId: bob.userId, clientMsgId: 'cm-1' };
    expect(codeOf(() => openAs(bob, sealed, { metadata: { ...meta, clientMsgId: 'cm-2' } }))).toBe(
      'metadata_mismatch',
    );
    expect(codeOf(() => openAs(carol, sealed, { metadata: { ...meta, recipientId: carol.userId } }))).toBe(
      'metadata_mismatch',
    );
    expect(codeOf(() => openAs(bob, sealed, { metadata: { ...meta, senderId: carol.userId } }))).toBe(
      'metadata_mismatch',
    );
  });

  it('a changed sender key is detected as key_changed, not accepted', () => {
    const newAlice = testUser('alice', 'alice-reinstalled');
    const fromNewKey = seal(newAlice, bob);
    expect(codeOf(() => openAs(bob, fromNewKey))).toBe('key_changed');
    // Once the user accepts the new key (re-pins), it opens.
    expect(openAs(bob, fromNewKey, { senderIdentityKey: newAlice.identity.identityKey }).payload).toEqual({
      type: 'text',
      text: 'hello bob',
    });
  });

  it('a reader with an older identity still opens messages wrapped to it', () => {
    const newBob = testUser('bob', 'bob-rotated');
    expect(
      openAs(bob, sealed, { reader: { userId: bob.userId, identities: [newBob.identity, bob.identity] } })
        .payload,
    ).toEqual({ type: 'text', text: 'hello bob' });
  });

  it('commits to the content key: a sender cannot show its own copy a different key than the recipient', () => {
    // A malicious Alice wraps another key for herself and signs the result properly.
    const env = decodeEnvelope(sealed.envelope);
    const otherKey = new Uint8Array(32).fill(9);
    const wraps = env.wraps.map((w) =>
      w.role === ROLE.sender
        ? wrapContentKey(otherKey, alice.identity.kemPublicKey, ROLE.sender, env.headerBytes, systemRandom)
        : w,
    );
    const envelope = encodeEnvelope(env.headerBytes, wraps, env.ciphertext);
    const signature = ed25519.sign(
      concatBytes(utf8(SIGNATURE_CONTEXT), Uint8Array.of(0), envelope),
      alice.identity.secrets.signingSeed,
    );
    expect(openAs(bob, { envelope, signature }).payload).toEqual({ type: 'text', text: 'hello bob' });
    expect(codeOf(() => openAs(alice, { envelope, signature }))).toBe('decrypt_failed');
    expect(env.header.keyCommitment).toHaveLength(32);
  });

  it('parses into exactly two wraps and a padded body', () => {
    const env = decodeEnvelope(sealed.envelope);
    expect(env.wraps.map((w) => w.role)).toEqual([1, 2]);
    expect(env.ciphertext.length).toBe(256 + 16);
    expect(seal(alice, bob, 'x'.repeat(200)).envelope.length).toBe(sealed.envelope.length);
  });
});
