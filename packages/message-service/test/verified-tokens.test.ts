/** The verified-token memory: hits until the token's own exp, bounded, and only for tokens with an exp. */
import { describe, expect, it } from 'vitest';
import { createVerifiedTokens } from '../src/verified-tokens';

const user = { id: 'usr_0000000000000000000000000a', username: 'alice', sessionId: 'ses_1' };
const tokenExpiringIn = (seconds: number, salt = '') =>
  `eyJhbGciOiJFZERTQSJ9.${Buffer.from(JSON.stringify({ exp: Math.floor(Date.now() / 1000) + seconds, salt })).toString('base64url')}.sig`;

describe('createVerifiedTokens', () => {
  it('answers for a remembered token until it expires, never after', () => {
    const cache = createVerifiedTokens(10);
    const live = tokenExpiringIn(600);
    const expired = tokenExpiringIn(-1);
    cache.remember(live, user);
    cache.remember(expired, user);
    expect(cache.get(live)).toEqual(user);
    expect(cache.get(expired)).toBeUndefined();
    expect(cache.get(`${live}x`)).toBeUndefined();
  });

  it('does not remember a token without a readable exp', () => {
    const cache = createVerifiedTokens(10);
    cache.remember('a.b.c', user);
    cache.remember(`x.${Buffer.from('{"sub":"u"}').toString('base64url')}.y`, user);
    expect(cache.get('a.b.c')).toBeUndefined();
  });

  it('keeps at most its bound, dropping the oldest', () => {
    const cache = createVerifiedTokens(2);
    const [t1, t2, t3] = [tokenExpiringIn(600, '1'), tokenExpiringIn(600, '2'), tokenExpiringIn(600, '3')];
    cache.remember(t1, user);
    cache.remember(t2, user);
    cache.remember(t3, user);
    expect([cache.get(t1), cache.get(t2), cache.get(t3)]).toEqual([undefined, user, user]);
    expect(createVerifiedTokens(0).get(t1)).toBeUndefined();
  });
});
