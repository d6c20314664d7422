import { randomBytes, randomUUID } from 'node:crypto';
import { client, type Engine, registerUser, startStack } from '@lockbox/testkit';

const engine = (process.argv[2] ?? 'postgres') as Engine;
const PAIRS = Number(process.argv[3] ?? 10);
const PER = Number(process.argv[4] ?? 100);
const stack = await startStack({
  engine,
  services: ['auth', 'messages'],
  gatewayEnv: { RL_GATEWAY_PER_IP: '0' },
  serviceEnv: process.env.PROF ? { messages: { NODE_OPTIONS: '--cpu-prof --cpu-prof-dir=/tmp/msprof' } } : {},
});
const pct = (xs: number[], p: number) =>
  xs.sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
try {
  for (const [label, base] of [
    ['service', stack.get('messages').url],
    ['gateway', stack.gatewayUrl],
  ] as const) {
    const authApi = client(stack.gatewayUrl);
    const api = client(base);
    const pairs = [];
    for (let i = 0; i < PAIRS; i++) {
      const a = await registerUser(authApi, 'ba');
      const b = await registerUser(authApi, 'bb');
      const r = await api.post<{ id: string }>('/chat-requests/send', {
        token: a.token,
        body: { to_user_id: b.id },
      });
      await api.post('/chat-requests/respond', {
        token: b.token,
        body: { request_id: r.json.id, action: 'accept' },
      });
      pairs.push([a, b] as const);
    }
    const lat: number[] = [];
    const t0 = performance.now();
    await Promise.all(
      pairs.map(async ([a, b]) => {
        for (let i = 0; i < PER; i++) {
          const s = performance.now();
          const res = await api.post('/messages/send', {
            token: a.token,
            body: {
              recipient_id: b.id,
              client_msg_id: randomUUID(),
              encrypted_blob: randomBytes(256).toString('base64'),
              signature: randomBytes(64).toString('base64'),
            },
          });
          if (res.status !== 201) throw new Error(res.text);
          lat.push(performance.now() - s);
        }
      }),
    );
    const secs = (performance.now() - t0) / 1000;
    const rl: number[] = [];
    for (const [, b] of pairs) {
      const s = performance.now();
      await api.get(`/messages?after=0&limit=100`, { token: b.token });
      rl.push(performance.now() - s);
    }
    console.log(
      `${engine} ${label}: ${PAIRS * PER} sends, ${PAIRS} concurrent: ${((PAIRS * PER) / secs).toFixed(0)} msgs/s, p50 ${pct(lat, 50).toFixed(1)} ms, p99 ${pct(lat, 99).toFixed(1)} ms; GET /messages (100) p50 ${pct(rl, 50).toFixed(1)} ms`,
    );
  }
  const metrics = await (await fetch(`${stack.get('messages').url}/metrics`)).text();
  console.log(
    metrics
      .split('\n')
      .filter(
        (l) =>
          l.includes('route="messages.send"') &&
          (l.includes('_sum') ||
            l.includes('_count') ||
            l.includes('le="0.01"') ||
            l.includes('le="0.025"') ||
            l.includes('le="0.05"') ||
            l.includes('le="0.1"')),
      )
      .join('\n'),
  );
} finally {
  await stack.stop();
}
