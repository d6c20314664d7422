/**
 * The message lies of a malicious server (issue 11, findings 4 and 5), shared
 * by the SDK, CLI and web tests: a genuine message served in the wrong
 * conversation, the same envelope again under a new id / time / seq, and a
 * stored time far from the one the sender signed. Each works on messages as
 * the messages contract returns them, through a HostileServer.
 */
import { randomBytes } from 'node:crypto';
import type { HostileServer } from './hostile-server';

/** A message as `messages.list` / `messages.conversation` return it (only the fields the lies touch). */
export interface ServedMessage extends Record<string, unknown> {
  id: string;
  conversation_id: string;
  seq: number;
  cursor: string;
  sender_id: string;
  recipient_id: string;
  created_at: string;
}

interface Page {
  messages: ServedMessage[];
  conversation_id?: string;
}

const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';

/** A well-formed message id the real server never issued. */
export const forgedMessageId = (): string =>
  `msg_${Array.from(randomBytes(26), (b) => CROCKFORD[b % 32]).join('')}`;

/** The same envelope as a "new" message: fresh id, a later time, a later seq and cursor. */
export const asReplay = (m: ServedMessage, shift: { ms?: number; seq?: number } = {}): ServedMessage => ({
  ...m,
  id: forgedMessageId(),
  created_at: new Date(Date.parse(m.created_at) + (shift.ms ?? 3_600_000)).toISOString(),
  seq: m.seq + (shift.seq ?? 1_000),
  cursor: String(Number(m.cursor) + (shift.seq ?? 1_000)),
});

/** The message re-dated by the server (id, seq and envelope unchanged). */
export const redated = (m: ServedMessage, ms: number): ServedMessage => ({
  ...m,
  created_at: new Date(Date.parse(m.created_at) + ms).toISOString(),
});

/**
 * From now on, the conversation page asked for with `contactId` also carries
 * `extra()` (newest last), relabelled with that conversation's id — as if the
 * messages belonged there.
 */
export const addToConversation = (
  hostile: HostileServer,
  contactId: string,
  extra: () => ServedMessage[],
): void => {
  hostile.rewrite('messages.conversation', (data, call) => {
    const page = data as Page;
    if ((call.input as { contact_id?: string } | undefined)?.contact_id !== contactId) return page;
    const label = page.conversation_id ?? '';
    return {
      ...page,
      messages: [...page.messages, ...extra().map((m) => ({ ...m, conversation_id: label }))],
    };
  });
};

/** From now on, every `messages.list` page also carries `extra()` at its end. */
export const addToList = (hostile: HostileServer, extra: () => ServedMessage[]): void => {
  hostile.rewrite('messages.list', (data) => {
    const page = data as Page;
    return { ...page, messages: [...page.messages, ...extra()] };
  });
};

/** From now on, every message in conversation pages and lists goes through `change`. */
export const rewriteMessages = (
  hostile: HostileServer,
  change: (m: ServedMessage) => ServedMessage,
): void => {
  for (const path of ['messages.conversation', 'messages.list'])
    hostile.rewrite(path, (data) => {
      const page = data as Page;
      return { ...page, messages: page.messages.map(change) };
    });
};

/** A live `new_message` frame carrying `m`, as realtime pushes it. */
export const newMessageFrame = (m: ServedMessage) => ({ type: 'new_message', data: m });
