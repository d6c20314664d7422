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

export type MessagesContext = Pick<
  SessionInternals,
  'api' | 'keys' | 'random' | 'signedIn' | 'people' | 'store'
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

export class MessagesDomain {
  readonly #ctx: MessagesContext;

  constructor(ctx: MessagesContext) {
    this.#ctx = ctx;
  }

  /** Sends a text to a username or user id (looked up and identity-checked first). */
  async send(to: string, text: string) {
    const me = this.#ctx.signedIn.me();
    const recipient = await this.#ctx.people.resolve(to);
    return sendPayload(
      this.#ctx.api.trpc,
      this.#ctx.keys,
      me,
      recipient,
      { type: 'text', text },
      this.#ctx.random,
    );
  }

  /** Sends a text to a user already known by id (no directory look-up first). */
  async sendTo(to: TUser, text: string) {
    const me = this.#ctx.signedIn.me();
    return sendPayload(this.#ctx.api.trpc, this.#ctx.keys, me, to, { type: 'text', text }, this.#ctx.random);
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
    const decrypted: DecryptedMessage[] = [];
    for (const m of answer.messages)
      decrypted.push(await decryptMessage(this.#ctx.keys, me, m, { counterpart: contactId }));
    return { ...answer, decrypted };
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
    return seenMessagesOf(this.#ctx, me).check(pages.flat());
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
      messages: await seenMessagesOf(this.#ctx, me).check(page.decrypted),
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
    const decrypted: DecryptedMessage[] = [];
    for (const m of page.messages) decrypted.push(await decryptMessage(this.#ctx.keys, me, m));
    const messages = await seenMessagesOf(this.#ctx, me).check(decrypted);
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
