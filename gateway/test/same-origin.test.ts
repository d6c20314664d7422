/** The web app the gateway serves opens its WebSocket from the gateway's own origin, whatever host or port that is. */
import { describe, expect, it } from 'vitest';
import { CorsPolicy } from '../src/cors';

describe('CorsPolicy.isSameOrigin', () => {
  it('is true only when the Origin names the host the request was sent to', () => {
    expect(CorsPolicy.isSameOrigin('http://127.0.0.1:41234', '127.0.0.1:41234')).toBe(true);
    expect(CorsPolicy.isSameOrigin('https://Chat.Example', 'chat.example')).toBe(true);
    expect(CorsPolicy.isSameOrigin('http://evil.example', '127.0.0.1:41234')).toBe(false);
    expect(CorsPolicy.isSameOrigin('http://127.0.0.1:41235', '127.0.0.1:41234')).toBe(false);
    expect(CorsPolicy.isSameOrigin('null', 'null')).toBe(false);
    expect(CorsPolicy.isSameOrigin('http://127.0.0.1:41234', undefined)).toBe(false);
  });
});
