/**
 * `session.messages`: sending, and reading decrypted. Every read path goes
 * through this device's persistent replay check (SeenMessages).
 */
import type { TReadReceipt, TUser } from '@lockbox/contracts';
import { call, LockboxApiError } from '../../api/errors';
import { SessionError } from '../errors';
import type { SessionInternals } from '../internals';
import { type DecryptedMessage, decryptMessage, type Me, sendPayload } from '../messages';
import { SeenMessages } from '../seen-messages';
import { readMixedPage } from '../v2-read';

export type MessagesContext = Pick<
  SessionInternals,
  'api' | 'keys' | 'random' | 'signedIn' | 'people' | 'store' | 'v2'
>;

export interface HistoryPage {
  conversation_id: string;
  messages: DecryptedMessage[];
  next_cursor: string | null;
  /** The highest seq each side has marked read (0: none). */
  read_up_to: { mine: number; theirs: number };
}

/** This device's persistent replay check for `me` (every read path goes through it). */
export const seenMessagesOf = (ctx: Pick<SessionInternals, 'store'>, me: Me): SeenMessages =>
  new SeenMessages(ctx.store, me.userId);

/** The same words whichever path found it (v1's send answers them; v2 first asks for the conversation). */
const NOT_A_CONTACT = 'you can only message your contacts';

export class MessagesDomain {
  readonly #ctx: MessagesContext;

  constructor(ctx: MessagesContext) {
    this.#ctx = ctx;
  }

  /** Sends a text to a username or user id (looked up and identity-checked first). */
  async send(to: string, text: string) {
    const me = this.#ctx.signedIn.me();
    return this.#send(me, await this.#ctx.people.resolve(to), text);
  }

  /** Sends a text to a user already known by id (no directory look-up first). */
  async sendTo(to: TUser, text: string) {
    return this.#send(this.#ctx.signedIn.me(), to, text);
  }

  /**
   * E2E v2 when this device runs it and the contact has a v2 device (the engine decides), else a
   * v1 envelope. The answer has the shape of messages.send's either way, plus `version`.
   */
  async #send(me: Me, to: { id: string; username?: string }, text: string) {
    const payload = { type: 'text', text } as const;
    const v2 = await this.#ctx.v2.send(to.id, payload).catch((err) => {
      // Not a contact: the v2 path asks for the conversation first (404), v1's send answers 403.
      if (err instanceof LockboxApiError && (err.code === 'forbidden' || err.code === 'not_found'))
        throw new SessionError('not_a_contact', NOT_A_CONTACT);
      throw err;
    });
    if (v2 !== undefined) return { ...v2, client_msg_id: v2.message_id, version: 2 as const };
    const v1 = await sendPayload(this.#ctx.api.trpc, this.#ctx.keys, me, to, payload, this.#ctx.random);
    return { ...v1, version: 1 as const };
  }

  #readPage(me: Me, items: Parameters<typeof decryptMessage>[2][], counterpart?: string) {
    return readMixedPage(
      this.#ctx.v2,
      me,
      items,
      (m) => decryptMessage(this.#ctx.keys, me, m, counterpart !== undefined ? { counterpart } : {}),
      (ms) => seenMessagesOf(this.#ctx, me).check(ms),
    );
  }

  /** One conversation page decrypted (not yet replay-checked); `not_found` means not a contact. */
  async #conversationPage(me: Me, contactId: string, page: { before?: string; limit: number }, who: string) {
    const answer = await call(() =>
      this.#ctx.api.trpc.messages.conversation.query({
        contact_id: contactId,
        limit: page.limit,
        ...(page.before !== undefined ? { before: page.before } : {}),
      }),
    ).catch((err) => {
      if (err instanceof LockboxApiError && err.code === 'not_found')
        throw new SessionError('not_a_contact', `you have no conversation with ${who}`);
      throw err;
    });
    return { ...answer, decrypted: await this.#readPage(me, answer.messages, contactId) };
  }

  /** The whole conversation with a contact (or its newest `limit` messages), oldest first, decrypted. */
  async history(withUser: string, opts: { limit?: number } = {}): Promise<DecryptedMessage[]> {
    const me = this.#ctx.signedIn.me();
    const contact = await this.#ctx.people.resolve(withUser);
    const pages: DecryptedMessage[][] = [];
    let before: string | undefined;
    let count = 0;
    for (;;) {
      const limit = Math.min(200, opts.limit ? opts.limit - count : 200);
      if (limit <= 0) break;
      const page = await this.#conversationPage(
        me,
        contact.id,
        { limit, ...(before !== undefined ? { before } : {}) },
        contact.username,
      );
      pages.unshift(page.decrypted);
      count += page.messages.length;
      if (page.next_cursor === null || page.messages.length === 0) break;
      before = page.next_cursor;
    }
    return pages.flat();
  }

  /**
   * One page of a conversation, decrypted, oldest first within the page. Pass
   * the returned `next_cursor` as `before` for the page before it (null: none).
   */
  async historyPage(contactId: string, opts: { before?: string; limit?: number } = {}): Promise<HistoryPage> {
    const me = this.#ctx.signedIn.me();
    const page = await this.#conversationPage(
      me,
      contactId,
      { limit: opts.limit ?? 50, ...(opts.before !== undefined ? { before: opts.before } : {}) },
      'this user',
    );
    return {
      conversation_id: page.conversation_id,
      messages: page.decrypted,
      next_cursor: page.next_cursor,
      read_up_to: page.read_up_to,
    };
  }

  /** Everything after a cursor across all conversations, oldest first, decrypted. */
  async after(after?: string, limit = 100) {
    const me = this.#ctx.signedIn.me();
    const page = await call(() =>
      this.#ctx.api.trpc.messages.list.query({ limit, ...(after !== undefined ? { after } : {}) }),
    );
    const messages = await this.#readPage(me, page.messages);
    return { messages, next_cursor: page.next_cursor, has_more: page.has_more };
  }

  /** The cursor after the newest message right now (where a live-only listener starts). */
  async latestCursor(): Promise<string | undefined> {
    this.#ctx.signedIn.me();
    let after: string | undefined;
    for (;;) {
      const page = await call(() =>
        this.#ctx.api.trpc.messages.list.query({ limit: 500, ...(after !== undefined ? { after } : {}) }),
      );
      if (page.messages.length > 0 || after !== undefined) after = page.next_cursor;
      if (!page.has_more) return after;
    }
  }

  /** One message (me on one side, attributed to its signed counterpart), replay-checked. */
  async decrypt(m: Parameters<typeof decryptMessage>[2]): Promise<DecryptedMessage> {
    const me = this.#ctx.signedIn.me();
    if (m.mls !== undefined) {
      const [read] = await this.#readPage(me, [m]);
      if (read !== undefined) return read;
      const outgoing = m.sender_id === me.userId;
      return {
        id: m.id,
        conversation_id: m.conversation_id,
        seq: m.seq,
        cursor: m.cursor,
        sender_id: m.sender_id,
        recipient_id: m.recipient_id,
        client_msg_id: m.client_msg_id,
        created_at: m.created_at,
        outgoing,
        counterpart_id: outgoing ? m.recipient_id : m.sender_id,
        version: 2,
        error: { code: 'invalid', message: 'an MLS item this device cannot read (or not a message)' },
      };
    }
    const [checked] = await seenMessagesOf(this.#ctx, me).check([
      await decryptMessage(this.#ctx.keys, me, m),
    ]);
    return checked as DecryptedMessage;
  }

  /** Marks a conversation read up to a seq; the contact gets a live receipt. */
  async markRead(contactId: string, upToSeq: number): Promise<TReadReceipt> {
    this.#ctx.signedIn.me();
    return call(() => this.#ctx.api.trpc.messages.read.mutate({ contact_id: contactId, up_to: upToSeq }));
  }
}
