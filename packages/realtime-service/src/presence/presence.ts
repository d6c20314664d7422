/**
 * Presence to contacts only: when a user's first socket opens (anywhere) their
 * contacts are told `online`, when the last one closes, `offline`. Every new
 * socket is also told which of its contacts are online right now. Transitions
 * of one user run one after another, so a quick connect-disconnect can't
 * announce them in the wrong order.
 */
import type { TServerFrame } from '@lockbox/contracts';
import type { Logger } from '@lockbox/service-kit';
import type { FanOut } from '../delivery/fan-out';
import type { Connection } from '../socket/connection';
import type { ConnectionRegistry } from '../socket/registry';
import type { ContactsCache } from './contacts';
import type { PresenceStore } from './presence-store';

export class Presence {
  readonly #chains = new Map<string, Promise<void>>();
  #lastWarnAt = 0;
  /** Shutting down: sockets close with 1001 and reconnect elsewhere; no offline storm. */
  quiet = false;

  readonly #registry: ConnectionRegistry;
  readonly #store: PresenceStore;
  readonly #contacts: ContactsCache;
  readonly #fanOut: FanOut;
  readonly #log: Logger;

  constructor(
    registry: ConnectionRegistry,
    store: PresenceStore,
    contacts: ContactsCache,
    fanOut: FanOut,
    log: Logger,
  ) {
    this.#registry = registry;
    this.#store = store;
    this.#contacts = contacts;
    this.#fanOut = fanOut;
    this.#log = log;
  }

  connected(conn: Connection, firstHere: boolean) {
    this.#serial(conn.userId, async () => {
      const contacts = await this.#contacts.of(conn.userId);
      if (firstHere && (await this.#store.up(conn.userId)))
        await this.#announce(conn.userId, contacts, 'online');
      if (conn.closed || contacts.size === 0) return;
      const online = await this.#store.onlineAmong([...contacts]);
      for (const id of online) conn.send({ type: 'presence', data: { user_id: id, status: 'online' } });
    });
  }

  disconnected(userId: string) {
    if (this.quiet) return;
    this.#serial(userId, async () => {
      if (!(await this.#store.down(userId))) return;
      await this.#announce(userId, await this.#contacts.of(userId), 'offline');
      this.#contacts.forget(userId);
    });
  }

  /**
   * Two users just became contacts (an accepted request, seen by every instance): each of their
   * sockets here learns whether the other is online, as a socket opened now would.
   */
  introduce(a: string, b: string) {
    if (!this.#registry.isOnline(a) && !this.#registry.isOnline(b)) return;
    this.#store
      .onlineAmong([a, b])
      .then((online) => {
        for (const [me, them] of [
          [a, b],
          [b, a],
        ] as const) {
          if (!online.has(them)) continue;
          for (const conn of this.#registry.forUser(me) ?? [])
            conn.send({ type: 'presence', data: { user_id: them, status: 'online' } });
        }
      })
      .catch((err) => this.#log.debug({ err: (err as Error).message }, 'presence introduction failed'));
  }

  close() {
    return this.#store.close();
  }

  async #announce(userId: string, contacts: Set<string>, status: 'online' | 'offline') {
    if (contacts.size === 0) return;
    const frame: TServerFrame = { type: 'presence', data: { user_id: userId, status } };
    await this.#fanOut.publish([{ to: [...contacts], frame }]);
  }

  #serial(userId: string, job: () => Promise<void>) {
    const previous = this.#chains.get(userId) ?? Promise.resolve();
    const next = previous
      .then(job)
      .catch((err) => {
        // message-service down means every connect fails here: one warning per 10 s, not one per socket.
        const now = Date.now();
        const level = now - this.#lastWarnAt > 10_000 ? 'warn' : 'debug';
        if (level === 'warn') this.#lastWarnAt = now;
        this.#log[level]({ err: (err as Error).message, userId }, 'presence update failed');
      })
      .finally(() => {
        if (this.#chains.get(userId) === next) this.#chains.delete(userId);
      });
    this.#chains.set(userId, next);
  }
}
