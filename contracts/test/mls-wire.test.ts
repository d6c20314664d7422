/**
 * The MLS Delivery Service's wire shapes (v2-wire.md §2): what sendMls
 * accepts, and that a stream item with `mls` passes every schema a client
 * checks it with (a page, a realtime new_message frame) while the v1 rules
 * stay exactly as they were.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  MLS_WELCOME_MAX_BYTES,
  messagesContract,
  restRoutesOf,
  ZMessage,
  ZMessagesPageSchema,
  ZSendMlsRequestSchema,
  ZSendMlsResponseSchema,
  ZServerFrameSchema,
} from '../src';

const b64 = (n: number) => randomBytes(n).toString('base64');
const USER_A = 'usr_0000000000000000000000000a';
const USER_B = 'usr_0000000000000000000000000b';

const v1Item = {
  id: 'msg_00000000000000000000000001',
  conversation_id: 'cnv_00000000000000000000000001',
  seq: 1,
  cursor: '1',
  sender_id: USER_A,
  recipient_id: USER_B,
  client_msg_id: 'c1',
  encrypted_blob: b64(48),
  signature: b64(64),
  created_at: '2026-12-03T00:00:00.000Z',
};
const mlsItem = { ...v1Item, signature: '', mls: { kind: 'commit', epoch: 3 } };

describe('ZMessage with and without mls', () => {
  it('accepts a v1 envelope and an MLS item of every kind', () => {
    expect(ZMessage.parse(v1Item)).toEqual(v1Item);
    for (const kind of ['application', 'commit', 'welcome'])
      expect(ZMessage.parse({ ...mlsItem, mls: { kind, epoch: 0 } }).mls).toEqual({ kind, epoch: 0 });
  });

  it('refuses the mixes a server could use to blur the two: v1 without signature, MLS with one or with a sender key', () => {
    const bad = [
      { ...v1Item, signature: '' },
      { ...mlsItem, signature: b64(64) },
      { ...mlsItem, sender_public_key: b64(32) },
      { ...mlsItem, mls: { kind: 'proposal', epoch: 1 } },
      { ...mlsItem, mls: { kind: 'commit', epoch: -1 } },
      { ...mlsItem, mls: { kind: 'commit', epoch: 1.5 } },
      { ...mlsItem, mls: { kind: 'commit' } },
      { ...mlsItem, mls: null },
      { ...mlsItem, encrypted_blob: '' },
    ];
    for (const item of bad) expect(ZMessage.safeParse(item).success, JSON.stringify(item)).toBe(false);
  });

  it('an MLS item passes in a page and in a realtime new_message frame', () => {
    const page = { messages: [v1Item, mlsItem], next_cursor: '2', has_more: false };
    expect(ZMessagesPageSchema.parse(page).messages[1]?.mls).toEqual({ kind: 'commit', epoch: 3 });
    const frame = ZServerFrameSchema.parse({ type: 'new_message', data: mlsItem });
    expect(frame.type === 'new_message' && frame.data.mls).toEqual({ kind: 'commit', epoch: 3 });
  });
});

describe('ZSendMlsRequestSchema', () => {
  const base = { recipient_id: USER_B, client_msg_id: 'm1', kind: 'commit', epoch: 0, message: b64(100) };

  it('accepts application and commit, a welcome only with a commit', () => {
    expect(ZSendMlsRequestSchema.safeParse(base).success).toBe(true);
    expect(ZSendMlsRequestSchema.safeParse({ ...base, welcome: b64(100) }).success).toBe(true);
    expect(ZSendMlsRequestSchema.safeParse({ ...base, kind: 'application', epoch: 7 }).success).toBe(true);
    expect(ZSendMlsRequestSchema.safeParse({ ...base, kind: 'application', welcome: b64(100) }).success).toBe(
      false,
    );
  });

  it('refuses other kinds, bad epochs, unpadded or oversized bytes, extra keys', () => {
    const bad: Array<Record<string, unknown>> = [
      { kind: 'welcome' },
      { kind: 'proposal' },
      { epoch: -1 },
      { epoch: 1.5 },
      { epoch: '1' },
      { epoch: 2 ** 53 },
      { message: 'AAA' },
      { message: '' },
      { welcome: '' },
      { welcome: 'A'.repeat((Math.ceil(MLS_WELCOME_MAX_BYTES / 3) + 1) * 4) },
      { sender_id: USER_A },
      { signature: b64(64) },
    ];
    for (const patch of bad)
      expect(ZSendMlsRequestSchema.safeParse({ ...base, ...patch }).success, JSON.stringify(patch)).toBe(
        false,
      );
  });

  it('answers like messages.send, plus the item and its welcome', () => {
    const answer = {
      message_id: v1Item.id,
      conversation_id: v1Item.conversation_id,
      seq: 4,
      cursor: '9',
      created_at: v1Item.created_at,
      mls: { kind: 'commit', epoch: 3 },
      welcome: { message_id: 'msg_00000000000000000000000002', seq: 5, cursor: '10', epoch: 4 },
    };
    expect(ZSendMlsResponseSchema.parse(answer)).toEqual(answer);
  });
});

it('routes sendMls and mlsEpoch under /messages', () => {
  const routes = restRoutesOf(messagesContract).map((r) => `${r.name} ${r.rest.method} ${r.rest.path}`);
  expect(routes).toEqual(
    expect.arrayContaining([
      'messages.sendMls POST /messages/mls',
      'messages.mlsEpoch GET /messages/mls/epoch/{contact_id}',
    ]),
  );
});
