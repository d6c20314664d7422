import { describe, expect, it } from 'vitest';
import type { DecryptedMessage } from '../../src';
import { flagReplay } from '../../src/session/messages';

const msg = (id: string, clientMsgId: string, sender = 'usr_a'): DecryptedMessage => ({
  id,
  conversation_id: 'cnv_1',
  seq: 1,
  cursor: '1',
  sender_id: sender,
  recipient_id: 'usr_b',
  client_msg_id: clientMsgId,
  created_at: '2025-01-01T00:00:00Z',
  outgoing: false,
  payload: { type: 'text', text: 'hi' },
});

describe('replayed envelopes', () => {
  it('a second message with the same sender and client_msg_id is refused as replayed', () => {
    const seen = new Set<string>();
    expect(flagReplay(msg('msg_1', 'c1'), seen).payload).toEqual({ type: 'text', text: 'hi' });
    const again = flagReplay(msg('msg_2', 'c1'), seen);
    expect(again.payload).toBeUndefined();
    expect(again.error?.code).toBe('replayed');
    expect(flagReplay(msg('msg_3', 'c1', 'usr_c'), seen).error).toBeUndefined();
  });
});
