/**
 * What a bubble is made of when the server lies: the signed time, a flag when
 * the server's differs, and refusals (misplaced, replayed) in words, never content.
 */
import type { DecryptedMessage } from '@lockbox/client';
import { describe, expect, it } from 'vitest';
import { toChatMessage } from '../src/state/messages';

const ALICE = 'usr_alice000000000000000000000';
const ME = 'usr_me000000000000000000000000';
const base: DecryptedMessage = {
  id: 'msg_1',
  conversation_id: 'cnv_1',
  seq: 1,
  cursor: '1',
  sender_id: ALICE,
  recipient_id: ME,
  client_msg_id: 'c1',
  created_at: '2026-01-10T12:00:00.000Z',
  outgoing: false,
  counterpart_id: ALICE,
  sent_at: Date.parse('2026-01-10T11:59:58.000Z'),
  server_time_differs: false,
  payload: { type: 'text', text: 'hi' },
  version: 1,
};

describe('toChatMessage', () => {
  it('shows the signed sent_at, not the server time', () => {
    const shown = toChatMessage(base);
    expect(shown.at).toBe('2026-01-10T11:59:58.000Z');
    expect(shown.serverTimeDiffers).toBeUndefined();
  });

  it('flags a server time far from the signed one, keeping the signed time', () => {
    const shown = toChatMessage({
      ...base,
      created_at: '2026-01-12T12:00:00.000Z',
      server_time_differs: true,
    });
    expect(shown.at).toBe('2026-01-10T11:59:58.000Z');
    expect(shown.serverTimeDiffers).toBe('2026-01-12T12:00:00.000Z');
  });

  it('words misplaced and replayed refusals, with no text', () => {
    const { payload: _p, sent_at: _s, ...refused } = base;
    const misplaced = toChatMessage({ ...refused, error: { code: 'misplaced', message: 'x' } });
    expect(misplaced.text).toBeUndefined();
    expect(misplaced.verifyError).toMatch(/another conversation/);
    const replayed = toChatMessage({ ...refused, error: { code: 'replayed', message: 'x' } });
    expect(replayed.text).toBeUndefined();
    expect(replayed.verifyError).toMatch(/again.*replay/);
  });
});
