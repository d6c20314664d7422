/**
 * Keeps the session's tokens: in memory, persisted in the store, refreshed
 * when the server answers 401. A refresh token is single-use and presenting a
 * spent one ends the session, so refreshing is serialised through the store's
 * lock and re-reads the store first: if another process or tab already
 * refreshed, its new tokens are adopted instead of spending the old one again.
 */
import { type TSessionResponse, ZSessionResponseSchema } from '@lockbox/contracts';
import { z } from 'zod';
import type { KeyValueStore } from '../store/types';
import { LockboxApiError } from './errors';

export const SESSION_KEY = 'session';

const ZStoredSession = ZSessionResponseSchema.extend({ obtained_at: z.number() });
export type StoredSession = z.infer<typeof ZStoredSession>;

export type RefreshCall = (refreshToken: string) => Promise<TSessionResponse>;

export class TokenKeeper {
  #session: StoredSession | undefined;

  readonly #store: KeyValueStore;
  readonly #refreshCall: RefreshCall;

  constructor(store: KeyValueStore, refreshCall: RefreshCall) {
    this.#store = store;
    this.#refreshCall = refreshCall;
  }

  async load(): Promise<StoredSession | undefined> {
    this.#session = await this.#readStored();
    return this.#session;
  }

  async #readStored(): Promise<StoredSession | undefined> {
    const raw = await this.#store.get(SESSION_KEY);
    if (!raw) return undefined;
    const parsed = ZStoredSession.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  }

  get current(): StoredSession | undefined {
    return this.#session;
  }

  get accessToken(): string | undefined {
    return this.#session?.access_token;
  }

  async save(session: TSessionResponse): Promise<void> {
    this.#session = { ...session, obtained_at: Date.now() };
    await this.#store.set(SESSION_KEY, JSON.stringify(this.#session));
  }

  async clear(): Promise<void> {
    this.#session = undefined;
    await this.#store.delete(SESSION_KEY);
  }

  /** True when the access token is within `marginMs` of expiring. */
  expiresSoon(marginMs = 30_000): boolean {
    const s = this.#session;
    return !!s && s.obtained_at + s.expires_in * 1000 - marginMs < Date.now();
  }

  /**
   * After `failedToken` was refused: a fresh access token, or undefined when
   * the session is over (logged out, revoked, expired) and the user must sign in.
   */
  async refreshAfter(failedToken: string | undefined): Promise<string | undefined> {
    return this.#store.withLock(SESSION_KEY, async () => {
      const stored = await this.#readStored();
      if (!stored) {
        this.#session = undefined;
        return undefined;
      }
      if (stored.access_token !== failedToken) {
        this.#session = stored;
        return stored.access_token;
      }
      try {
        await this.save(await this.#refreshCall(stored.refresh_token));
        return this.#session?.access_token;
      } catch (err) {
        if (err instanceof LockboxApiError && err.status === 401) {
          await this.clear();
          return undefined;
        }
        throw err;
      }
    });
  }

  /** An access token that is not about to expire (refreshing first if needed), for WebSocket upgrades. */
  async fresh(): Promise<string | undefined> {
    if (this.#session && !this.expiresSoon()) return this.#session.access_token;
    return this.refreshAfter(this.#session?.access_token);
  }
}
