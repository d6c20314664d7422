/**
 * F4 and F5: the path between the gateway and a service misbehaves (a fault
 * proxy in front of auth and of message-service). A connection reset — on
 * connect, or while the request is held in flight — is a 502 with a JSON
 * error; a stalled upstream is a 504 once the configured upstream timeout has
 * passed, and the gateway closes the stalled connections instead of piling
 * them up. The gateway itself stays up throughout, and serves again as soon
 * as the path is back.
 *
 * Active health checks are slowed right down here so every request meets the
 * fault itself (with them on, the gateway would soon skip the instance and
 * answer 503 + Retry-After at once, which is the better answer in production
 * but not the one under test).
 */
import {
  type Client,
  eventually,
  type FaultProxy,
  makeContacts,
  startFaultProxy,
  type TestUser,
} from '@lockbox/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectCleanError } from '../../src/clean-errors';
import { type FullStack, startFullStack } from '../../src/full-stack';
import { counterValue, gatewayMetricsText } from '../../src/metrics';

const UPSTREAM_TIMEOUT_MS = 2_000;
/** A request the gateway let hang past its own timeout fails the test (the client gives up here). */
const CLIENT_BOUND_MS = UPSTREAM_TIMEOUT_MS + 8_000;

describe('[F4][F5] upstream faults between the gateway and a service', () => {
  let full: FullStack;
  const proxies: Partial<Record<'auth' | 'messages', FaultProxy>> = {};
  let alice: TestUser;
  let bob: TestUser;

  beforeAll(async () => {
    proxies.auth = await startFaultProxy();
    proxies.messages = await startFaultProxy();
    full = await startFullStack('pglite', {
      via: { gateway: { auth: proxies.auth, messages: proxies.messages } },
      gatewayEnv: {
        GATEWAY_UPSTREAM_TIMEOUT_MS: String(UPSTREAM_TIMEOUT_MS),
        GATEWAY_HEALTH_INTERVAL_MS: '600000',
      },
    });
    [alice, bob] = [await full.user('f4a'), await full.user('f4b')];
    await makeContacts(full.api, alice, bob);
  });
  afterAll(async () => {
    await full?.stack.stop();
    await Promise.all(Object.values(proxies).map((p) => p.close()));
  });

  /** Calls on each proxied path, idempotent (the gateway retries a GET once) and not. */
  const calls: Array<{
    name: string;
    service: 'auth' | 'messages';
    call: (api: Client) => Promise<unknown>;
  }> = [
    {
      name: 'GET /auth/me',
      service: 'auth',
      call: (api) => api.get('/auth/me', { token: alice.token, timeoutMs: CLIENT_BOUND_MS }),
    },
    {
      name: 'POST /auth/login',
      service: 'auth',
      call: (api) =>
        api.post('/auth/login', {
          body: { username: alice.username, password: alice.password },
          timeoutMs: CLIENT_BOUND_MS,
        }),
    },
    {
      name: 'GET /messages',
      service: 'messages',
      call: (api) => api.get('/messages?after=0', { token: bob.token, timeoutMs: CLIENT_BOUND_MS }),
    },
  ];

  const gatewayAlive = async () => {
    expect((await full.api.get('/openapi.json')).status).toBe(200);
    expect(full.stack.get('gateway').child?.exitCode).toBeNull();
  };

  const worksAgain = (call: (api: Client) => Promise<unknown>) =>
    eventually(async () =>
      ((await call(full.api)) as { status: number }).status === 200 ? true : undefined,
    );

  it.each(calls)(
    '[F4] $name: upstream resets the connection, on connect and with the request in flight → 502 JSON, gateway alive, then works again',
    async ({ service, call }) => {
      const proxy = proxies[service] as FaultProxy;
      await proxy.mode('reset');
      expectCleanError((await call(full.api)) as never, [502]);
      await gatewayAlive();

      // In flight: a fresh connection whose bytes the proxy holds, reset before any answer gets through.
      await proxy.mode('delay', { delayMs: 1_000 });
      const accepted = proxy.accepted;
      const pending = call(full.api);
      await eventually(async () => (proxy.accepted > accepted ? true : undefined), 5_000, 10);
      await proxy.mode('reset');
      expectCleanError((await pending) as never, [502]);
      await gatewayAlive();

      await proxy.mode('pass');
      await worksAgain(call);
    },
  );

  it.each(calls)(
    '[F5] $name: upstream stalls → 504 after the configured timeout, stalled sockets closed (none pile up), then works again',
    async ({ service, call }) => {
      const proxy = proxies[service] as FaultProxy;
      const timeoutsBefore = counterValue(
        await gatewayMetricsText(full.stack),
        'lockbox_gateway_upstream_errors_total',
        { service, kind: 'timeout' },
      );
      await proxy.mode('blackhole');
      const stalled = 8;
      const answers = await Promise.all(Array.from({ length: stalled }, () => call(full.api)));
      for (const res of answers) expectCleanError(res as never, [504]);
      // Each stalled connection was closed by the gateway at its timeout: none left open at the proxy.
      await eventually(async () => (proxy.open === 0 ? true : undefined), 5_000);
      await gatewayAlive();
      const timeouts = counterValue(
        await gatewayMetricsText(full.stack),
        'lockbox_gateway_upstream_errors_total',
        {
          service,
          kind: 'timeout',
        },
      );
      expect(timeouts - timeoutsBefore).toBe(stalled);

      await proxy.mode('pass');
      await worksAgain(call);
    },
  );
});
