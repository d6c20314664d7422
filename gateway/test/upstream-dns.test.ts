import http from 'node:http';
import { client, eventually } from '@lockbox/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { needsLookup, urlWithAddress } from '../src/upstream-dns';
import { type FakeUpstream, startGateway, startUpstream, type TestGateway } from './helpers';

/**
 * Two fake auth instances on one port at two loopback addresses (127.0.0.1 and 127.0.0.2),
 * and a gateway whose AUTH_UPSTREAMS names a host that an injected resolver answers: the
 * records change during the test the way a headless Service's do when pods come and go.
 */
describe('upstream host names are re-resolved (DNS)', () => {
  let first: FakeUpstream;
  let second: http.Server;
  const secondHits: string[] = [];
  let records: string[] | Error = ['127.0.0.1'];
  const lookups: string[] = [];
  let gw: TestGateway;
  let releaseSlow: (() => void) | undefined;

  beforeAll(async () => {
    first = await startUpstream((req, res) => {
      const answer = () => res.end(JSON.stringify({ from: 'first' }));
      if (req.url === '/auth/slow') releaseSlow = answer;
      else answer();
    });
    second = http.createServer((req, res) => {
      if (req.url !== '/ready') secondHits.push(req.url ?? '');
      res.end(JSON.stringify({ from: 'second' }));
    });
    await new Promise<void>((resolve) => second.listen(first.port, '127.0.0.2', resolve));
    gw = await startGateway(
      { AUTH_UPSTREAMS: `http://auth.invalid:${first.port}`, GATEWAY_DNS_REFRESH_MS: '100' },
      {
        resolveHost: async (hostname) => {
          lookups.push(hostname);
          if (records instanceof Error) throw records;
          return records;
        },
      },
    );
  });
  afterAll(async () => {
    releaseSlow?.();
    await gw?.close();
    await first?.close();
    second?.closeAllConnections();
    await new Promise<void>((resolve) => (second ? second.close(() => resolve()) : resolve()));
  });

  const instanceUrls = () => gw.gateway.upstreams.get('auth')?.instances.map((i) => i.url) ?? [];
  const sources = async (n: number) => {
    const seen = new Set<string>();
    for (let i = 0; i < n; i++) {
      const res = await client(gw.url).get<{ from: string }>('/auth/me');
      expect(res.status).toBe(200);
      seen.add(res.json.from);
    }
    return seen;
  };

  it('tells host names from addresses and writes addresses into URLs', () => {
    expect(needsLookup('http://auth:8001')).toBe(true);
    expect(needsLookup('http://10.1.2.3:8001')).toBe(false);
    expect(needsLookup('http://[fd00::1]:8001')).toBe(false);
    expect(needsLookup('http://localhost:8001')).toBe(false);
    expect(urlWithAddress('http://auth:8001', '10.1.2.3')).toBe('http://10.1.2.3:8001');
    expect(urlWithAddress('http://auth:8001', 'fd00::1')).toBe('http://[fd00::1]:8001');
  });

  it('serves the addresses the name has before its first request', async () => {
    expect(lookups).toContain('auth.invalid');
    expect(instanceUrls()).toEqual([first.url]);
    expect(await sources(3)).toEqual(new Set(['first']));
  });

  it('adds an address that appears, and balances over both', async () => {
    records = ['127.0.0.1', '127.0.0.2'];
    await eventually(async () => (instanceUrls().length === 2 ? true : undefined), 5_000, 20);
    expect(instanceUrls()).toContain(`http://127.0.0.2:${first.port}`);
    expect(await sources(4)).toEqual(new Set(['first', 'second']));
    const health = await client(gw.url).get<{ services: { auth: { instances: unknown[] } } }>('/health');
    expect(health.json.services.auth.instances).toHaveLength(2);
  });

  it('keeps the last addresses when a lookup fails', async () => {
    const before = lookups.length;
    records = Object.assign(new Error('resolver unreachable'), { code: 'EAI_AGAIN' });
    await eventually(async () => (lookups.length >= before + 2 ? true : undefined), 5_000, 20);
    expect(instanceUrls()).toHaveLength(2);
    records = [];
    const afterEmpty = lookups.length;
    await eventually(async () => (lookups.length >= afterEmpty + 2 ? true : undefined), 5_000, 20);
    expect(instanceUrls()).toHaveLength(2);
  });

  it('retires a vanished address after its request in flight is answered', async () => {
    records = ['127.0.0.1', '127.0.0.2'];
    // Round-robin: send until the slow request lands on the first instance (at most two tries).
    let slow: Promise<{ status: number; json: { from: string } }> | undefined;
    for (let i = 0; i < 2 && !releaseSlow; i++) {
      slow = client(gw.url).get<{ from: string }>('/auth/slow');
      await eventually(async () => (releaseSlow || secondHits.includes('/auth/slow') ? true : undefined));
    }
    expect(releaseSlow).toBeDefined();
    records = ['127.0.0.2'];
    await eventually(async () => (instanceUrls().length === 1 ? true : undefined), 5_000, 20);
    expect(instanceUrls()).toEqual([`http://127.0.0.2:${first.port}`]);
    expect(await sources(3)).toEqual(new Set(['second']));
    releaseSlow?.();
    const answered = await slow;
    expect(answered?.status).toBe(200);
    expect(answered?.json.from).toBe('first');
  });
});
