/**
 * Reading this device's stream: each item is checked, handed to its conversation's group, and the
 * messages it yields are appended to the history archive (when the account keeps one).
 */
import { type ArchiveRecord, archiveRecordOf, type HistoryArchive } from './archive';
import type { ConversationGroup, GroupEvent } from './conversation-group';
import type { V2EngineOptions } from './engine';
import type { KeyPackagePool } from './key-package-pool';
import type { OwnDeviceList } from './own-device-list';
import { isConflict, parseAnswer, type TStreamItem, ZStreamItem, ZStreamPage } from './transport';

export type V2Event =
  | GroupEvent
  | { kind: 'v1'; item: unknown }
  | { kind: 'refused'; conversationId: string; messageId: string; reason: string };

const MAX_UNARCHIVED = 500;

export class StreamIngest {
  readonly #o: Pick<V2EngineOptions, 'store' | 'transport' | 'userId'>;
  readonly #deviceId: string;
  readonly #group: (conversationId: string) => Promise<ConversationGroup>;
  readonly #pool: KeyPackagePool;
  readonly #own: OwnDeviceList;
  readonly #archive: HistoryArchive | undefined;
  /** Records whose archive append failed, retried with the next ones. */
  #unarchived: ArchiveRecord[] = [];

  constructor(
    o: Pick<V2EngineOptions, 'store' | 'transport' | 'userId'>,
    deviceId: string,
    group: (conversationId: string) => Promise<ConversationGroup>,
    pool: KeyPackagePool,
    own: OwnDeviceList,
    archive: HistoryArchive | undefined,
  ) {
    this.#o = o;
    this.#deviceId = deviceId;
    this.#group = group;
    this.#pool = pool;
    this.#own = own;
    this.#archive = archive;
  }

  /** Reads this device's stream from its own cursor to the end. */
  async pull(): Promise<V2Event[]> {
    const key = `v2-cursor.${this.#o.userId}.${this.#deviceId}`;
    const events: V2Event[] = [];
    let after = await this.#o.store.get(key);
    for (;;) {
      const page = parseAnswer(ZStreamPage, await this.#o.transport.messagesAfter(after), 'messages.list');
      for (const raw of page.messages) events.push(...(await this.onItem(raw)));
      if (page.next_cursor !== after) await this.#o.store.set(key, page.next_cursor);
      if (!page.has_more || page.next_cursor === after) break;
      after = page.next_cursor;
    }
    return events;
  }

  async onItem(raw: unknown): Promise<V2Event[]> {
    const parsed = ZStreamItem.safeParse(raw);
    if (!parsed.success) {
      const id = (raw as { id?: unknown } | null)?.id;
      return [
        {
          kind: 'refused',
          conversationId: '',
          messageId: typeof id === 'string' ? id : '',
          reason: 'malformed',
        },
      ];
    }
    const item: TStreamItem = parsed.data;
    if (item.mls === undefined) return [{ kind: 'v1', item: raw }];
    const me = this.#o.userId;
    if (item.sender_id !== me && item.recipient_id !== me)
      return [
        { kind: 'refused', conversationId: item.conversation_id, messageId: item.id, reason: 'not-mine' },
      ];
    // The peer -> conversation mapping is learned from messages.mlsEpoch only, never from an item.
    const g = await this.#group(item.conversation_id);
    const events = await g.receive(item);
    const records: ArchiveRecord[] = [];
    for (const e of events)
      if (e.kind === 'message' && e.payload.type !== 'unsupported') records.push(archiveRecordOf(e));
    // receive() has already deleted the keys and marked the items seen: from here on nothing may
    // throw, or the events (the only copy of these messages) would be lost for good.
    await this.archiveRecords(records);
    // A Welcome used one of this device's one-time KeyPackages: top the pool up again.
    if (events.some((e) => e.kind === 'joined')) await this.#pool.refill().catch(() => undefined);
    return events;
  }

  /**
   * Best effort: a failed append keeps the records for the next attempt (bounded); an honest 409
   * means another device turned the archive off, so the cached flag is stale.
   */
  async archiveRecords(records: ArchiveRecord[]): Promise<void> {
    if (this.#archive === undefined) return;
    const pending = [...this.#unarchived, ...records];
    this.#unarchived = [];
    if (pending.length === 0) return;
    try {
      if (!(await this.#own.archiveOn())) return;
      await this.#archive.append(pending);
    } catch (e) {
      if (isConflict(e)) {
        this.#own.archiveTurnedOff();
        return;
      }
      this.#unarchived = pending.slice(-MAX_UNARCHIVED);
    }
  }
}
