import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import os from 'node:os';
import path from 'node:path';
import { startService } from '@lockbox/service-kit';
import { client, createTempDatabase, registerUser, startStack } from '@lockbox/testkit';
import { messagesService } from '../src/definition';

const secret = randomBytes(32).toString('base64url');
const stack = await startStack({
  services: ['auth'],
  gateway: false,
  env: { LOCKBOX_INTERNAL_SECRET: secret },
});
const temp = await createTempDatabase(process.env.TEST_DATABASE_URL!);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'prof-'));
const svc = await startService(messagesService, {
  ...process.env,
  PORT: '0',
  LOCKBOX_DATA_DIR: dir,
  LOCKBOX_LOG_DIR: dir,
  LOCKBOX_LOG_STDOUT: '0',
  LOCKBOX_INTERNAL_SECRET: secret,
  DATABASE_URL: temp.url,
  AUTH_URLS: stack.get('auth').url,
  REALTIME_URLS: 'off',
});
const api = client(`http://127.0.0.1:${svc.port}`);
const authApi = client(stack.get('auth').url);
const pairs = [];
for (let i = 0; i < 10; i++) {
  const a = await registerUser(authApi, 'pa');
  const b = await registerUser(authApi, 'pb');
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
const session = new Session();
session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.start');
const t0 = performance.now();
await Promise.all(
  pairs.map(async ([a, b]) => {
    for (let i = 0; i < 100; i++) {
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
    }
  }),
);
console.log(
  'msgs/s (bench client in the same process)',
  (1000 / ((performance.now() - t0) / 1000)).toFixed(0),
);
const { profile } = await session.post('Profiler.stop');
// self time by function
const self = new Map<string, number>();
const dt = profile.timeDeltas ?? [];
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
(profile.samples ?? []).forEach((id, i) => {
  const n = byId.get(id)!;
  const k = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').slice(-2).join('/')}:${n.callFrame.lineNumber}`;
  self.set(k, (self.get(k) ?? 0) + (dt[i] ?? 0));
});
const total = [...self.values()].reduce((a, b) => a + b, 0);
for (const [k, v] of [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12))
  console.log(((100 * v) / total).toFixed(1).padStart(5), k);
// inclusive time: walk parents
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const incl = new Map<string, number>();
(profile.samples ?? []).forEach((id, i) => {
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const n = byId.get(cur)!;
    const k = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').slice(-3).join('/')}:${n.callFrame.lineNumber}`;
    if (!seen.has(k)) {
      seen.add(k);
      incl.set(k, (incl.get(k) ?? 0) + (dt[i] ?? 0));
    }
  }
});
console.log('--- inclusive');
for (const [k, v] of [...incl.entries()].sort((a, b) => b[1] - a[1]).slice(0, 45))
  console.log(((100 * v) / total).toFixed(1).padStart(5), k);
await svc.close();
await stack.stop();
await temp.drop();
