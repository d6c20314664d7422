/** The sockets this instance holds, by user and by session (logout closes one session's sockets). */
import type { Connection } from './connection';

export class ConnectionRegistry {
  readonly #byUser = new Map<string, Set<Connection>>();
  readonly #bySession = new Map<string, Set<Connection>>();
  #count = 0;

  /** Adds a socket; true when it is the user's first on this instance. */
  add(conn: Connection): boolean {
    let mine = this.#byUser.get(conn.userId);
    const first = !mine;
    if (!mine) {
      mine = new Set();
      this.#byUser.set(conn.userId, mine);
    }
    mine.add(conn);
    let session = this.#bySession.get(conn.sessionId);
    if (!session) {
      session = new Set();
      this.#bySession.set(conn.sessionId, session);
    }
    session.add(conn);
    this.#count++;
    return first;
  }

  /** Removes a socket; true when it was the user's last on this instance. */
  remove(conn: Connection): boolean {
    const mine = this.#byUser.get(conn.userId);
    if (!mine?.delete(conn)) return false;
    this.#count--;
    const session = this.#bySession.get(conn.sessionId);
    session?.delete(conn);
    if (session?.size === 0) this.#bySession.delete(conn.sessionId);
    if (mine.size > 0) return false;
    this.#byUser.delete(conn.userId);
    return true;
  }

  forUser(userId: string): ReadonlySet<Connection> | undefined {
    return this.#byUser.get(userId);
  }

  forSession(sessionId: string): ReadonlySet<Connection> | undefined {
    return this.#bySession.get(sessionId);
  }

  socketsOf(userId: string): number {
    return this.#byUser.get(userId)?.size ?? 0;
  }

  isOnline(userId: string): boolean {
    return this.#byUser.has(userId);
  }

  get sockets(): number {
    return this.#count;
  }

  get users(): number {
    return this.#byUser.size;
  }

  *all(): IterableIterator<Connection> {
    for (const set of this.#byUser.values()) yield* set;
  }
}
