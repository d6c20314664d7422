/** What an upgrade request asks for, before any token is checked. */
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createOriginCheck } from '../../src/upgrade/origin';
import { parseUpgradeRequest } from '../../src/upgrade/parse';

const USER = 'usr_0000000000000000000000000a';
const req = (url: string, headers: Record<string, string> = {}) =>
  ({ url, headers }) as unknown as IncomingMessage;

describe('parseUpgradeRequest', () => {
  it('reads the token from ?token=, the bearer subprotocol, or Authorization', () => {
    expect(parseUpgradeRequest(req('/ws?token=abc.def'))).toMatchObject({
      token: 'abc.def',
      protocol: undefined,
    });
    expect(
      parseUpgradeRequest(req('/ws', { 'sec-websocket-protocol': 'lockbox.v1, bearer.abc.def' })),
    ).toMatchObject({ token: 'abc.def', protocol: 'lockbox.v1' });
    expect(parseUpgradeRequest(req('/ws', { authorization: 'Bearer abc' }))).toMatchObject({ token: 'abc' });
    expect(parseUpgradeRequest(req('/ws'))).toMatchObject({ token: undefined });
  });

  it('refuses two different tokens', () => {
    expect(() =>
      parseUpgradeRequest(req('/ws?token=a', { 'sec-websocket-protocol': 'lockbox.v1, bearer.b' })),
    ).toThrow(/more than one/);
  });

  it('reads /ws/{user_id} and refuses a path id that is not an id', () => {
    expect(parseUpgradeRequest(req(`/ws/${USER}?token=t`)).pathUserId).toBe(USER);
    expect(parseUpgradeRequest(req('/ws/')).pathUserId).toBeUndefined();
    expect(() => parseUpgradeRequest(req('/ws/..%2F..%2Fadmin'))).toThrow(/not a user id/);
    expect(() => parseUpgradeRequest(req('/wsx'))).toThrow(/endpoint/);
    expect(() => parseUpgradeRequest(req(`/ws/${USER}/more`))).toThrow(/endpoint/);
  });

  it('after: absent → live only, empty → from the start, a cursor → after it, garbage → refused', () => {
    expect(parseUpgradeRequest(req('/ws')).after).toBeUndefined();
    expect(parseUpgradeRequest(req('/ws?after=')).after).toBeNull();
    expect(parseUpgradeRequest(req('/ws?after=42')).after).toBe('42');
    expect(() => parseUpgradeRequest(req('/ws?after=abc'))).toThrow(/cursor/);
    expect(() => parseUpgradeRequest(req('/ws?after=1&after=2'))).toThrow(/repeated/);
  });
});

describe('origin check', () => {
  const allowed = createOriginCheck(['http://localhost:8000']);
  it('allows listed origins and clients without one, refuses the rest', () => {
    expect(allowed('http://localhost:8000')).toBe(true);
    expect(allowed('HTTP://LOCALHOST:8000')).toBe(true);
    expect(allowed(undefined)).toBe(true);
    expect(allowed('http://evil.example')).toBe(false);
    expect(allowed('null')).toBe(false);
    expect(allowed(['http://localhost:8000', 'x'])).toBe(false);
  });

  it('allows a page from the host the upgrade was sent to (the web app), and only that host', () => {
    expect(allowed('http://127.0.0.1:41234', '127.0.0.1:41234')).toBe(true);
    expect(allowed('https://chat.example', 'chat.example')).toBe(true);
    expect(allowed('http://evil.example', '127.0.0.1:41234')).toBe(false);
    expect(allowed('http://127.0.0.1:41235', '127.0.0.1:41234')).toBe(false);
    expect(allowed('null', 'null')).toBe(false);
    expect(allowed('http://evil.example', undefined)).toBe(false);
  });
});
