/**
 * The persistent replay check: (sender, client_msg_id) under one server id,
 * time and seq only — across calls, across a restart over the same store, and
 * with FileStore's one-file-per-key cost in mind (one key per sender).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type DecryptedMessage, MemoryStore } from '../../src';
import { FileStore } from '../../src/node';
import { SEEN_PER_SENDER_MAX, SeenMessages, seenKey } from '../../src/session/seen-messages';

const ME = 'usr_b000000000000000000000000';
const msg = (id: string, clientMsgId: string, over: Partial<DecryptedMessage> = {}): DecryptedMessage => ({
  id,
  conversation_id: 'cnv_1',
  seq: 1,
  cursor: '1',
  sender_id: 'usr_a000000000000000000000000',
  recipient_id: ME,
  client_msg_id: clientMsgId,
  created_at: '2025-01-01T00:00:00.000Z',
  outgoing: false,
  counterpart_id: 'usr_a000000000000000000000000',
  payload: { type: 'text', text: 'hi' },
  ...over,
  version: over.version ?? 1,
});
const codes = (ms: DecryptedMessage[]) => ms.map((m) => m.error?.code ?? 'ok');

describe('replayed envelopes', () => {
  it('the same (sender, client_msg_id) under another id, time or seq is refused, with no payload', async () => {
    const seen = new SeenMessages(new MemoryStore(), ME);
    expect(codes(await seen.check([msg('msg_1', 'c1')]))).toEqual(['ok']);
    const again = await seen.check([
      msg('msg_2', 'c1'),
      msg('msg_1', 'c1', { created_at: '2025-01-01T00:00:01.000Z' }),
      msg('msg_1', 'c1', { seq: 2 }),
    ]);
    expect(codes(again)).toEqual(['replayed', 'replayed', 'replayed']);
    expect(again.every((m) => m.payload === undefined)).toBe(true);
  });

  it('the same message seen again unchanged is fine (a page fetched twice)', async () => {
    const seen = new SeenMessages(new MemoryStore(), ME);
    expect(codes(await seen.check([msg('msg_1', 'c1'), msg('msg_1', 'c1')]))).toEqual(['ok', 'ok']);
    expect(codes(await seen.check([msg('msg_1', 'c1')]))).toEqual(['ok']);
  });

  it('pairs are per sender, and a replay inside one batch is caught', async () => {
    const seen = new SeenMessages(new MemoryStore(), ME);
    const other = { sender_id: 'usr_c000000000000000000000000' };
    expect(
      codes(await seen.check([msg('msg_1', 'c1'), msg('msg_3', 'c1', other), msg('msg_4', 'c1')])),
    ).toEqual(['ok', 'ok', 'replayed']);
  });

  it('refused messages are not recorded (the server cannot pre-empt a genuine pair)', async () => {
    const seen = new SeenMessages(new MemoryStore(), ME);
    const { payload: _p, ...unverified } = msg('msg_9', 'c1');
    const forged = { ...unverified, error: { code: 'bad_signature' as const, message: 'no' } };
    await seen.check([forged]);
    // Also inside a batch that records other, verified messages.
    expect(codes(await seen.check([forged, msg('msg_2', 'c2')]))).toEqual(['bad_signature', 'ok']);
    expect(codes(await seen.check([msg('msg_1', 'c1')]))).toEqual(['ok']);
  });

  it('survives a restart over the same directory, with one file per sender', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockbox-seen-'));
    await new SeenMessages(new FileStore(dir), ME).check([msg('msg_1', 'c1'), msg('msg_2', 'c2')]);
    const restarted = new SeenMessages(new FileStore(dir), ME);
    expect(codes(await restarted.check([msg('msg_5', 'c1'), msg('msg_2', 'c2')]))).toEqual([
      'replayed',
      'ok',
    ]);
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('seen.'))).toEqual([
      `${seenKey(ME, 'usr_a000000000000000000000000')}.json`,
    ]);
  });

  it('odd sender ids become a hashed, valid store key; a damaged bucket starts again', async () => {
    const store = new MemoryStore();
    expect(seenKey(ME, 'Not/A Valid Key!')).toMatch(/^seen\.usr_b0+\.h[0-9a-f]{32}$/);
    const seen = new SeenMessages(store, ME);
    expect(codes(await seen.check([msg('msg_1', 'c1', { sender_id: 'Not/A Valid Key!' })]))).toEqual(['ok']);
    await store.set(seenKey(ME, 'usr_a000000000000000000000000'), '{"v":1,"entries":"garbage"}');
    expect(codes(await seen.check([msg('msg_1', 'c1')]))).toEqual(['ok']);
  });

  it(`keeps the newest ${SEEN_PER_SENDER_MAX} pairs per sender`, async () => {
    const store = new MemoryStore();
    const seen = new SeenMessages(store, ME);
    const many = Array.from({ length: SEEN_PER_SENDER_MAX + 5 }, (_, i) => msg(`msg_${i}`, `c${i}`));
    await seen.check(many);
    const raw = JSON.parse((await store.get(seenKey(ME, 'usr_a000000000000000000000000'))) as string);
    expect(raw.entries).toHaveLength(SEEN_PER_SENDER_MAX);
    expect(raw.entries[0][0]).toBe('c5');
  });
});
