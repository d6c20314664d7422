/** Token refresh: once for concurrent callers, and never spending a refresh token another process already spent. */
import type { TSessionResponse } from '@lockbox/contracts';
import { describe, expect, it } from 'vitest';
import { LockboxApiError, MemoryStore, TokenKeeper } from '../../src';

const session = (n: number): TSessionResponse => ({
  access_token: `access-${n}`,
  refresh_token: `refresh-${n}`,
  token_type: 'bearer',
  expires_in: 900,
  user: { id: 'usr_aaaaaaaaaaaaaaaaaaaaaaaaaa', username: 'alice' },
});

describe('TokenKeeper', () => {
  it('refreshes once for many concurrent 401s', async () => {
    const store = new MemoryStore();
    const spent: string[] = [];
    let n = 1;
    const keeper = new TokenKeeper(store, async (rt) => {
      spent.push(rt);
      return session(++n);
    });
    await keeper.save(session(1));
    const results = await Promise.all([1, 2, 3, 4].map(() => keeper.refreshAfter('access-1')));
    expect(results).toEqual(['access-2', 'access-2', 'access-2', 'access-2']);
    expect(spent).toEqual(['refresh-1']);
  });

  it('adopts tokens another process refreshed instead of spending the old refresh token', async () => {
    const store = new MemoryStore();
    const spent: string[] = [];
    const mine = new TokenKeeper(store, async (rt) => {
      spent.push(rt);
      return session(99);
    });
    await mine.save(session(1));
    const other = new TokenKeeper(store, async () => session(2));
    await other.load();
    await other.refreshAfter('access-1');
    expect(await mine.refreshAfter('access-1')).toBe('access-2');
    expect(spent).toEqual([]);
  });

  it('forgets the session when the refresh token is refused', async () => {
    const store = new MemoryStore();
    const keeper = new TokenKeeper(store, async () => {
      throw new LockboxApiError('unauthorized', 'session ended', 401);
    });
    await keeper.save(session(1));
    expect(await keeper.refreshAfter('access-1')).toBeUndefined();
    expect(await store.get('session')).toBeUndefined();
  });

  it('keeps the session through a network failure (the refresh may work later)', async () => {
    const store = new MemoryStore();
    const keeper = new TokenKeeper(store, async () => {
      throw new LockboxApiError('network', 'down', undefined);
    });
    await keeper.save(session(1));
    await expect(keeper.refreshAfter('access-1')).rejects.toThrow('down');
    expect(keeper.accessToken).toBe('access-1');
  });
});
