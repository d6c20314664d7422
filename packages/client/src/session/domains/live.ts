/**
 * `session.live`: the realtime connection, its frames decrypted and checked
 * like every read path, resuming from this device's cursor after any drop.
 */
import { RealtimeClient, type RealtimeState } from '../../realtime/client';
import type { SessionInternals } from '../internals';
import { type DecryptedMessage, decryptMessage } from '../messages';
import { openRequestNote, type RequestNote } from '../request-notes';
import { historyRecordOf } from '../v2-history';
import { v2Message } from '../v2-read';
import { seenMessagesOf } from './messages';

type V2Item = Parameters<typeof v2Message>[1];

/**
 * A read receipt as message-service sends it. Only `reader_id` is checked on
 * the wire: check the type of any other field before relying on it.
 */
export interface ReceiptEvent extends Record<string, unknown> {
  reader_id: string;
  conversation_id?: string;
  up_to?: number;
}

/** What `live.listen` calls for each kind of event (the one definition apps use). */
export interface ListenHandlers {
  onMessage?: (m: DecryptedMessage) => void | Promise<void>;
  /** A new request to me; `note` is opened and verified like `requests.incoming` does (null: none). */
  onChatRequest?: (r: {
    id: string;
    from_user_id: string;
    from_username?: string;
    note: RequestNote | null;
  }) => void;
  onChatRequestAccepted?: (r: { id: string; from_user_id: string; to_user_id: string }) => void;
  onReceipt?: (r: ReceiptEvent) => void;
  onTyping?: (t: { from: string; typing: boolean }) => void;
  onPresence?: (p: { user_id: string; status: 'online' | 'offline' }) => void;
  onState?: (state: RealtimeState, detail?: string) => void;
  onSessionEnded?: () => void;
}

export type LiveContext = Pick<
  SessionInternals,
  'api' | 'profile' | 'keys' | 'signedIn' | 'store' | 'realtime' | 'v2'
> & {
  /** Where a first, live-only listener starts (messages.latestCursor). */
  latestCursor: () => Promise<string | undefined>;
};

export class LiveDomain {
  readonly #ctx: LiveContext;

  constructor(ctx: LiveContext) {
    this.#ctx = ctx;
  }

  /**
   * An MLS item through the engine: each message it yields (this one, or parked ones a commit
   * released) becomes a DecryptedMessage; commits and Welcomes yield none. Without a running
   * engine (protocol 'v1', or v2 unavailable) MLS items are not readable here and are skipped.
   */
  async #readV2(me: string, item: V2Item): Promise<DecryptedMessage[]> {
    const { v2 } = this.#ctx;
    const r = await v2.running(me);
    if (r === undefined) return [];
    const out: DecryptedMessage[] = [];
    for (const e of await v2.onItem(r, item)) {
      if (e.kind !== 'message' || e.payload.type === 'unsupported') continue;
      const here = e.messageId === item.id;
      out.push(
        v2Message(
          me,
          here
            ? item
            : {
                ...item,
                id: e.messageId,
                seq: e.seq,
                client_msg_id: e.messageId,
                created_at: e.sentAt,
              },
          historyRecordOf(e),
        ),
      );
    }
    return out;
  }

  /**
   * Live messages and events, decrypted, in order. Resumes from the cursor of
   * the last message handled on this device (or, the first time, from now; or
   * from the very beginning with `fromStart`), and again after every drop.
   */
  async listen(handlers: ListenHandlers, opts: { fromStart?: boolean } = {}): Promise<RealtimeClient> {
    const { api, profile, keys, realtime } = this.#ctx;
    const me = this.#ctx.signedIn.me();
    if (!realtime.webSocket) throw new Error('listen needs a WebSocket factory (SessionOptions.webSocket)');
    const seen = seenMessagesOf(this.#ctx, me);
    let cursor = await profile.cursor(me.userId);
    if (cursor === undefined) cursor = opts.fromStart ? '0' : await this.#ctx.latestCursor();
    // v2 messages a pull read first (a send waiting for its Welcome, a history page) arrive here too.
    const unsubscribe = this.#ctx.v2.listen(async (e) => {
      const r = await this.#ctx.v2.running(me.userId);
      const peer = r?.peers.get(e.conversationId);
      const outgoing = e.senderUserId === me.userId;
      await handlers.onMessage?.(
        v2Message(
          me.userId,
          {
            id: e.messageId,
            conversation_id: e.conversationId,
            seq: e.seq,
            cursor: '',
            sender_id: e.senderUserId,
            recipient_id: outgoing ? (peer ?? '') : me.userId,
            client_msg_id: e.messageId,
            created_at: e.sentAt,
          },
          historyRecordOf(e),
        ),
      );
    });
    const client = new RealtimeClient({
      baseUrl: realtime.baseUrl,
      webSocket: realtime.webSocket,
      ...(cursor !== undefined ? { cursor } : {}),
      getToken: async ({ forceRefresh }) =>
        forceRefresh ? api.tokens.refreshAfter(api.tokens.accessToken) : api.tokens.fresh(),
      onCursor: (c) => profile.setCursor(me.userId, c),
      onFrame: async (frame) => {
        switch (frame.type) {
          case 'new_message': {
            const { data } = frame;
            if ((data as { mls?: unknown }).mls !== undefined) {
              for (const m of await this.#readV2(me.userId, data as V2Item)) await handlers.onMessage?.(m);
              return;
            }
            const message = await decryptMessage(keys, me, data as Parameters<typeof decryptMessage>[2]);
            const [checked] = await seen.check([message]);
            await handlers.onMessage?.(checked as DecryptedMessage);
            return;
          }
          case 'chat_request': {
            const from = (frame.data as { from_user?: { username?: string } }).from_user;
            const note = await openRequestNote(keys, me, frame.data);
            handlers.onChatRequest?.({
              id: frame.data.id,
              from_user_id: frame.data.from_user_id,
              ...(from?.username ? { from_username: from.username } : {}),
              note,
            });
            return;
          }
          case 'chat_request_accepted':
            handlers.onChatRequestAccepted?.(frame.data);
            return;
          case 'receipt':
            handlers.onReceipt?.(frame.data as ReceiptEvent);
            return;
          case 'typing':
            handlers.onTyping?.(frame.data);
            return;
          case 'presence':
            handlers.onPresence?.(frame.data);
            return;
          default:
            return;
        }
      },
      ...(handlers.onState ? { onState: handlers.onState } : {}),
      onSessionEnded: () => {
        unsubscribe();
        handlers.onSessionEnded?.();
      },
    });
    const stop = client.stop.bind(client);
    client.stop = async () => {
      unsubscribe();
      await stop();
    };
    client.start();
    return client;
  }
}
