/**
 * Debian's Prometheus scrapes a running stack with the committed scrape
 * configuration (targets pointed at the stack's ports), after a little
 * traffic (register, contacts, messages, a socket — partly through /v1, one
 * request while a service is down); then every PromQL expression of the
 * committed Grafana dashboard returns data, and every committed job is up.
 */
import {
  type Client,
  client,
  eventually,
  makeContacts,
  registerUser,
  type Stack,
  sendMessage,
  startStack,
} from '@lockbox/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  configForTargets,
  dashboardExpressions,
  type RunningPrometheus,
  startPrometheus,
} from '../../src/prometheus';

/** The same client, every path under /v1. */
const versioned = (api: Client): Client => ({
  get: (p, o) => api.get(`/v1${p}`, o),
  post: (p, o) => api.post(`/v1${p}`, o),
  put: (p, o) => api.put(`/v1${p}`, o),
  del: (p, o) => api.del(`/v1${p}`, o),
  request: (m, p, o) => api.request(m, `/v1${p}`, o),
});

const hostPort = (url: string) => new URL(url).host;

describe('Prometheus against a running stack', () => {
  let stack: Stack;
  let prometheus: RunningPrometheus | undefined;
  let socket: WebSocket | undefined;
  let userIds: string[] = [];
  let aliceToken = '';

  beforeAll(async () => {
    stack = await startStack({
      services: ['auth', 'messages', 'realtime'],
      gatewayEnv: { RL_GATEWAY_PER_IP: '0' },
    });
    const gateway = stack.get('gateway');
    const byJob: Record<string, string[]> = {
      'lockbox-gateway': [hostPort(gateway.adminUrl as string)],
    };
    for (const service of ['auth', 'messages', 'realtime'])
      byJob[`lockbox-${service}`] = [hostPort(stack.get(service).url)];
    prometheus = await startPrometheus(configForTargets(byJob));

    const api = client(stack.gatewayUrl);
    const v1 = versioned(api);
    const [alice, bob] = [await registerUser(v1, 'obsa'), await registerUser(api, 'obsb')];
    userIds = [alice.id, bob.id];
    aliceToken = alice.token;
    await makeContacts(v1, alice, bob);
    // Bob listens on /v1/ws: the messages below are live deliveries, which the lag histogram measures.
    const ws = new WebSocket(`${stack.gatewayUrl.replace('http', 'ws')}/v1/ws?token=${bob.token}`);
    socket = ws;
    const frames: string[] = [];
    ws.on('message', (data) => frames.push(data.toString()));
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    for (let i = 0; i < 5; i++) await sendMessage(i % 2 ? api : v1, alice, bob);
    await eventually(async () =>
      frames.filter((f) => f.includes('"new_message"')).length >= 5 ? true : undefined,
    );

    // One request while message-service is down: the gateway's 5xx and upstream-error series.
    const messages = stack.get('messages');
    await messages.kill('SIGKILL');
    expect((await api.get('/messages/conversation/x', { token: alice.token })).status).toBeGreaterThanOrEqual(
      500,
    );
    await messages.start();
  });
  afterAll(async () => {
    socket?.terminate();
    await prometheus?.stop();
    await stack?.stop();
  });

  it('scrapes every committed job, the gateway on its admin port', async () => {
    const p = prometheus as RunningPrometheus;
    await eventually(async () => {
      const up = await p.query('up == 1');
      return up.length === 4 ? true : undefined;
    }, 30_000);
    const jobs = (await p.query('up')).map((s) => s.metric.job).sort();
    expect(jobs).toEqual(['lockbox-auth', 'lockbox-gateway', 'lockbox-messages', 'lockbox-realtime']);
  });

  it('every expression of the Grafana dashboard returns data', async () => {
    const p = prometheus as RunningPrometheus;
    // A request while message-service is down (it stays down: restarting costs more than the test):
    // the gateway's 5xx series. Then `up` of lockbox-messages is 0, which the dashboard shows too.
    await stack.get('messages').kill('SIGKILL');
    const down = await client(stack.gatewayUrl).get('/messages/conversation/x', { token: aliceToken });
    expect(down.status).toBeGreaterThanOrEqual(500);
    const exprs = dashboardExpressions('1m');
    expect(exprs.length).toBeGreaterThanOrEqual(10);
    // Wait until the scrapes after the traffic (and a second one, for rate()) are in.
    const missing = async () => {
      const empty: string[] = [];
      for (const expr of exprs) if ((await p.query(expr)).length === 0) empty.push(expr);
      return empty;
    };
    let last: string[] = [];
    await eventually(
      async () => {
        last = await missing();
        return last.length === 0 ? true : undefined;
      },
      30_000,
      500,
    ).catch(() => undefined);
    expect(last).toEqual([]);
  });

  it('measured the five live deliveries to the socket, not the copies for the sender, who had none', async () => {
    const p = prometheus as RunningPrometheus;
    const count = await eventually(async () => {
      const [sample] = await p.query('sum(lockbox_realtime_delivery_lag_seconds_count)');
      return sample && Number(sample.value[1]) > 0 ? Number(sample.value[1]) : undefined;
    }, 15_000);
    expect(count).toBe(5);
  });

  it('the series carry no user ids or raw paths as labels', async () => {
    const p = prometheus as RunningPrometheus;
    const routes = (await p.query('lockbox_gateway_request_duration_seconds_count')).map(
      (s) => s.metric.route,
    );
    expect(routes.length).toBeGreaterThan(0);
    for (const route of routes) expect(route).not.toMatch(/usr_|\/v1\/|conversation\/x/);
    const labels = JSON.stringify(await p.query('{__name__=~"lockbox_.*"}'));
    expect(userIds).toHaveLength(2);
    for (const id of userIds) expect(labels).not.toContain(id);
  });
});
