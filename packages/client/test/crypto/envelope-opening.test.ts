/**
 * Every check on the opening side, each reached by a validly signed envelope
 * that breaks exactly that rule (see test/README.md for the mutation list).
 */
import { describe, expect, it } from 'vitest';
import {
  CryptoError,
  type CryptoErrorCode,
  type KeyWrap,
  openMessage,
  PAYLOAD_MAX_BYTES,
  paddedLength,
  ROLE,
  utf8,
} from '../../src/crypto';
import { forgeEnvelope, rawPlaintext } from '../helpers/messages-forge';
import { type TestUser, testUser } from '../helpers/users';

const alice = testUser('alice');
const bob = testUser('bob');
const carol = testUser('carol');

const open = (sealed: { envelope: Uint8Array; signature: Uint8Array }, reader: TestUser = bob) =>
  openMessage({
    ...sealed,
    metadata: { senderId: alice.userId, recipientId: bob.userId, clientMsgId: 'cm-1' },
    senderIdentityKey: alice.identity.identityKey,
    reader: { userId: reader.userId, identities: [reader.identity] },
  });

const codeOf = (fn: () => unknown): CryptoErrorCode | 'no error' | string => {
  try {
    fn();
    return 'no error';
  } catch (err) {
    return err instanceof CryptoError ? err.code : `not a CryptoError: ${(err as Error).message}`;
  }
};

const textPlaintext = (json: string, total?: number) => {
  const body = utf8(json);
  return rawPlaintext(body, total ?? paddedLength(body.length));
};

describe('opening an envelope: each check, reached past a valid signature', () => {
  it('the forge helper makes envelopes that open when nothing is wrong', () => {
    expect(open(forgeEnvelope(alice, bob)).payload).toEqual({ type: 'text', text: 'forged but signed' });
    expect(open(forgeEnvelope(alice, bob), alice).payload).toEqual({
      type: 'text',
      text: 'forged but signed',
    });
  });

  it('a wrong key commitment (right content key wrap, valid signature) fails with decrypt_failed', () => {
    const wrongCommitment = forgeEnvelope(alice, bob, {
      header: { keyCommitment: new Uint8Array(32).fill(7) },
    });
    expect(codeOf(() => open(wrongCommitment))).toBe('decrypt_failed');
    expect(codeOf(() => open(wrongCommitment, alice))).toBe('decrypt_failed');
  });

  it('a ciphertext that does not authenticate fails with decrypt_failed', () => {
    const tampered = forgeEnvelope(alice, bob, {
      ciphertext: (c) => {
        const t = c.slice();
        t[0] = (t[0] as number) ^ 1;
        return t;
      },
    });
    expect(codeOf(() => open(tampered))).toBe('decrypt_failed');
  });

  it('exactly two wraps, one per role: a missing, unknown or duplicated role is malformed', () => {
    const onlyRecipient = forgeEnvelope(alice, bob, { wraps: (w) => w.slice(0, 1) });
    expect(codeOf(() => open(onlyRecipient))).toBe('malformed');
    const three = forgeEnvelope(alice, bob, { wraps: (w) => [...w, w[0] as KeyWrap] });
    expect(codeOf(() => open(three))).toBe('malformed');
    const unknownRole = forgeEnvelope(alice, bob, {
      wraps: (w) => [w[0] as KeyWrap, { ...(w[1] as KeyWrap), role: 3 as typeof ROLE.sender }],
    });
    expect(codeOf(() => open(unknownRole))).toBe('malformed');
    const twoRecipients = forgeEnvelope(alice, bob, {
      wraps: (w) => [w[0] as KeyWrap, { ...(w[1] as KeyWrap), role: ROLE.recipient }],
    });
    expect(codeOf(() => open(twoRecipients))).toBe('malformed');
  });

  it('a body longer than the envelope allows is malformed', () => {
    const huge = forgeEnvelope(alice, bob, { ciphertext: () => new Uint8Array(PAYLOAD_MAX_BYTES * 2 + 1) });
    expect(codeOf(() => open(huge))).toBe('malformed');
  });

  it('a reader who is neither party gets not_for_me, even holding the sender key', () => {
    const sealed = forgeEnvelope(alice, bob);
    const outsider = () =>
      openMessage({
        ...sealed,
        metadata: { senderId: alice.userId, recipientId: bob.userId, clientMsgId: 'cm-1' },
        senderIdentityKey: alice.identity.identityKey,
        reader: { userId: carol.userId, identities: [alice.identity] },
      });
    expect(codeOf(outsider)).toBe('not_for_me');
  });

  it('a reader holding no key the envelope was wrapped for gets not_for_me', () => {
    const sealed = forgeEnvelope(alice, bob);
    const wrongKeys = () =>
      openMessage({
        ...sealed,
        metadata: { senderId: alice.userId, recipientId: bob.userId, clientMsgId: 'cm-1' },
        senderIdentityKey: alice.identity.identityKey,
        reader: { userId: bob.userId, identities: [carol.identity] },
      });
    expect(codeOf(wrongKeys)).toBe('not_for_me');
  });
});

describe('the decrypted payload: canonical and well-formed, or refused', () => {
  const openPlain = (plaintext: Uint8Array) => () => open(forgeEnvelope(alice, bob, { plaintext }));

  it('a padding length other than the one Padmé gives is malformed (too long and too short)', () => {
    const json = JSON.stringify({ type: 'text', text: 'hi' });
    expect(codeOf(openPlain(textPlaintext(json)))).toBe('no error');
    expect(codeOf(openPlain(textPlaintext(json, 512)))).toBe('malformed');
    expect(codeOf(openPlain(textPlaintext(json, 255)))).toBe('malformed');
  });

  it('invalid UTF-8, invalid JSON and a JSON without a string type are malformed', () => {
    const badUtf8 = rawPlaintext(Uint8Array.of(0x22, 0xff, 0x22), 256);
    expect(codeOf(openPlain(badUtf8))).toBe('malformed');
    // Invalid UTF-8 inside an otherwise valid text: never decoded "fine" with U+FFFD.
    const head = utf8('{"type":"text","text":"a');
    const tail = utf8('b"}');
    const inText = new Uint8Array([...head, 0xff, ...tail]);
    expect(codeOf(openPlain(rawPlaintext(inText, paddedLength(inText.length))))).toBe('malformed');
    expect(codeOf(openPlain(textPlaintext('{"type": "text", ')))).toBe('malformed');
    expect(codeOf(openPlain(textPlaintext('{"kind":"text","text":"hi"}')))).toBe('malformed');
    expect(codeOf(openPlain(textPlaintext('null')))).toBe('malformed');
    expect(codeOf(openPlain(textPlaintext('{"type":7}')))).toBe('malformed');
  });

  it('a payload over the size limit is malformed even when its type is unknown', () => {
    const json = JSON.stringify({ type: 'future', blob: 'x'.repeat(PAYLOAD_MAX_BYTES) });
    expect(codeOf(openPlain(textPlaintext(json)))).toBe('malformed');
  });

  it("an unknown type's name is cut to 64 characters before anyone shows it", () => {
    const opened = open(
      forgeEnvelope(alice, bob, { plaintext: textPlaintext(JSON.stringify({ type: 'y'.repeat(300) })) }),
    );
    expect(opened.payload).toEqual({ type: 'unsupported', original_type: 'y'.repeat(64) });
  });
});
