/**
 * Sealed chat-request notes, without a server: a note opens only for the
 * request it was sealed for, and notes and messages never pass for each other
 * (payload type `request_note` and the `note:` client_msg_id, both inside the
 * signed envelope). Sender and recipient identities are generated here; the
 * contact-key store is a stub that answers with the sender's pinned key.
 */
import { describe, expect, it } from 'vitest';
import {
  decodeEnvelope,
  fromBase64,
  generateIdentity,
  type Identity,
  type Payload,
  sealMessage,
  systemRandom,
  toBase64,
} from '../../src/crypto';
import type { ContactKeys } from '../../src/session/contact-keys';
import { decryptMessage, type Me, newClientMsgId } from '../../src/session/messages';
import { openRequestNote, type RequestNote, sealRequestNote } from '../../src/session/request-notes';

const ALICE = 'usr_0000000000000000000000000a';
const BOB = 'usr_0000000000000000000000000b';
const CAROL = 'usr_0000000000000000000000000c';
const alice = generateIdentity();
const bob = generateIdentity();
const carol = generateIdentity();
const meAlice: Me = { userId: ALICE, identities: [alice] };
const meBob: Me = { userId: BOB, identities: [bob] };

/** Pins: each user id → its identity key; reports key changes into `changes`. */
const pinnedKeys = (changes: string[] = []) => {
  const pins = new Map([
    [ALICE, alice],
    [BOB, bob],
    [CAROL, carol],
  ]);
  const pin = (id: string) => ({
    user_id: id,
    identity_key: toBase64((pins.get(id) as Identity).identityKey),
  });
  return {
    signingKeyFor: async (id: string) => (pins.get(id) as Identity).identityKey,
    pinOf: async (id: string) => pin(id),
    reportMessageKeyChange: (p: { user_id: string }) => changes.push(p.user_id),
  } as unknown as ContactKeys;
};

const request = (from: string, to: string, sealed: { encrypted_blob: string; signature: string }) => ({
  from_user_id: from,
  to_user_id: to,
  created_at: new Date().toISOString(),
  message: null,
  sealed_message: sealed,
});

/** Any envelope alice could sign, with a chosen client_msg_id and payload. */
const sealedByAlice = (to: { id: string; identity: Identity }, clientMsgId: string, payload: Payload) => {
  const s = sealMessage({
    sender: { userId: ALICE, identity: alice },
    recipient: { userId: to.id, identity: to.identity },
    clientMsgId,
    payload,
  });
  return { encrypted_blob: toBase64(s.envelope), signature: toBase64(s.signature) };
};

const refusedCode = (note: RequestNote | null) => (note?.status === 'refused' ? note.code : note?.status);

describe('sealed request notes', () => {
  it('opens for its recipient and its sender, with the signed time', async () => {
    const sealed = sealRequestNote(meAlice, { id: BOB, identity: bob }, 'hi bob, it is alice', systemRandom);
    const forBob = await openRequestNote(pinnedKeys(), meBob, request(ALICE, BOB, sealed));
    expect(forBob).toMatchObject({ status: 'sealed', text: 'hi bob, it is alice' });
    expect(typeof (forBob as { sent_at: number }).sent_at).toBe('number');
    const forAlice = await openRequestNote(pinnedKeys(), meAlice, request(ALICE, BOB, sealed));
    expect(forAlice).toMatchObject({ status: 'sealed', text: 'hi bob, it is alice' });
  });

  it('refuses a note sealed for someone else, or re-attributed to another sender, before any key look-up', async () => {
    const toCarol = sealRequestNote(meAlice, { id: CAROL, identity: carol }, 'for carol', systemRandom);
    expect(refusedCode(await openRequestNote(pinnedKeys(), meBob, request(ALICE, BOB, toCarol)))).toBe(
      'metadata_mismatch',
    );
    const toBob = sealRequestNote(meAlice, { id: BOB, identity: bob }, 'from alice', systemRandom);
    const lookups: string[] = [];
    const keys = pinnedKeys();
    const spying = Object.assign(Object.create(keys), {
      signingKeyFor: async (id: string) => {
        lookups.push(id);
        return keys.signingKeyFor(id, new Uint8Array(), '');
      },
    });
    expect(refusedCode(await openRequestNote(spying, meBob, request(CAROL, BOB, toBob)))).toBe(
      'metadata_mismatch',
    );
    expect(lookups).toEqual([]);
  });

  it('refuses a request between other users, before any key look-up', async () => {
    const sealed = sealRequestNote(meAlice, { id: CAROL, identity: carol }, 'for carol', systemRandom);
    const lookups: string[] = [];
    const keys = Object.assign(Object.create(pinnedKeys()), {
      signingKeyFor: async (id: string) => {
        lookups.push(id);
        return alice.identityKey;
      },
    });
    expect(refusedCode(await openRequestNote(keys, meBob, request(ALICE, CAROL, sealed)))).toBe('not_for_me');
    expect(lookups).toEqual([]);
  });

  it('refuses a request_note payload under an id outside the note: namespace', async () => {
    const bare = sealedByAlice({ id: BOB, identity: bob }, newClientMsgId(systemRandom), {
      type: 'request_note',
      text: 'a note with a message id',
    });
    expect(await openRequestNote(pinnedKeys(), meBob, request(ALICE, BOB, bare))).toMatchObject({
      status: 'refused',
      code: 'invalid',
    });
  });

  it('refuses a message presented as a note: a message id, or a text payload under a note: id', async () => {
    const message = sealedByAlice({ id: BOB, identity: bob }, newClientMsgId(systemRandom), {
      type: 'text',
      text: 'a chat message',
    });
    const a = await openRequestNote(pinnedKeys(), meBob, request(ALICE, BOB, message));
    expect(a).toMatchObject({ status: 'refused', code: 'invalid' });
    const disguised = sealedByAlice({ id: BOB, identity: bob }, `note:${newClientMsgId(systemRandom)}`, {
      type: 'text',
      text: 'a chat message',
    });
    const b = await openRequestNote(pinnedKeys(), meBob, request(ALICE, BOB, disguised));
    expect(b).toMatchObject({ status: 'refused', code: 'invalid' });
    expect(JSON.stringify([a, b])).not.toContain('a chat message');
  });

  it('refuses a note presented as a message', async () => {
    const sealed = sealRequestNote(meAlice, { id: BOB, identity: bob }, 'only a note', systemRandom);
    const { clientMsgId } = decodeEnvelope(fromBase64(sealed.encrypted_blob)).header;
    const m = await decryptMessage(pinnedKeys(), meBob, {
      id: 'msg_00000000000000000000000001',
      conversation_id: 'cnv_00000000000000000000000001',
      seq: 1,
      cursor: '1',
      sender_id: ALICE,
      recipient_id: BOB,
      client_msg_id: clientMsgId,
      encrypted_blob: sealed.encrypted_blob,
      signature: sealed.signature,
      created_at: new Date().toISOString(),
    });
    expect(m.payload).toBeUndefined();
    expect(m.error?.code).toBe('invalid');
  });

  it('refuses a tampered signature or ciphertext', async () => {
    const sealed = sealRequestNote(meAlice, { id: BOB, identity: bob }, 'hello', systemRandom);
    const sig = fromBase64(sealed.signature);
    sig[3] = (sig[3] as number) ^ 1;
    const badSig = { ...sealed, signature: toBase64(sig) };
    expect(refusedCode(await openRequestNote(pinnedKeys(), meBob, request(ALICE, BOB, badSig)))).toBe(
      'bad_signature',
    );
    const blob = fromBase64(sealed.encrypted_blob);
    blob[blob.length - 5] = (blob[blob.length - 5] as number) ^ 1;
    const badBlob = { ...sealed, encrypted_blob: toBase64(blob) };
    expect(refusedCode(await openRequestNote(pinnedKeys(), meBob, request(ALICE, BOB, badBlob)))).toBe(
      'bad_signature',
    );
  });

  it('refuses a note signed by a key other than the pinned one, and reports the key change', async () => {
    const mallory = generateIdentity();
    const s = sealMessage({
      sender: { userId: ALICE, identity: mallory },
      recipient: { userId: BOB, identity: bob },
      clientMsgId: `note:${newClientMsgId(systemRandom)}`,
      payload: { type: 'request_note', text: 'trust me' },
    });
    const changes: string[] = [];
    const note = await openRequestNote(
      pinnedKeys(changes),
      meBob,
      request(ALICE, BOB, { encrypted_blob: toBase64(s.envelope), signature: toBase64(s.signature) }),
    );
    expect(refusedCode(note)).toBe('key_changed');
    expect(changes).toEqual([ALICE]);
  });

  it('labels a legacy plaintext note unencrypted; refuses one next to a sealed note, or garbage', async () => {
    const base = { from_user_id: ALICE, to_user_id: BOB, created_at: new Date().toISOString() };
    expect(
      await openRequestNote(pinnedKeys(), meBob, { ...base, message: 'from curl', sealed_message: null }),
    ).toEqual({ status: 'unencrypted', text: 'from curl' });
    const sealed = sealRequestNote(meAlice, { id: BOB, identity: bob }, 'sealed', systemRandom);
    const both = await openRequestNote(pinnedKeys(), meBob, {
      ...base,
      message: 'server text',
      sealed_message: sealed,
    });
    expect(refusedCode(both)).toBe('invalid');
    const garbage = await openRequestNote(pinnedKeys(), meBob, {
      ...base,
      sealed_message: { encrypted_blob: 'AAAA', signature: '!!' },
    });
    expect(refusedCode(garbage)).toBe('invalid');
    const tooLong = await openRequestNote(pinnedKeys(), meBob, { ...base, message: 'x'.repeat(281) });
    expect(refusedCode(tooLong)).toBe('invalid');
    expect(await openRequestNote(pinnedKeys(), meBob, { ...base, message: null, sealed_message: null })).toBe(
      null,
    );
  });
});
