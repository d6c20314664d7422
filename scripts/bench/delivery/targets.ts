/**
 * The two targets on one database: LockBox (auth, messages, realtime and the
 * gateway in front) and the one-file baseline; both started, the sender/
 * recipient pairs registered through the gateway, every recipient's socket
 * open on each target.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import path from 'node:path';
import { httpCall } from '../lib/http-call';
import {
  ENTRIES,
  freePortsFor,
  gatewayEnv,
  lockboxEnv,
  NO_USER_RATE_LIMITS,
  processStarter,
} from '../lib/lockbox-stack';
import { messageBody, registerPairs } from '../lib/message-load';
import type { DeliveryOptions } from './options';
import { newTarget, openTargetSocket, type Target } from './target';

export interface DeliveryTargets {
  lockbox: Target;
  baseline: Target;
}

export const startTargets = async (
  opts: DeliveryOptions,
  workDir: string,
  databaseUrl: string | undefined,
  progress: (m: string) => void,
): Promise<DeliveryTargets> => {
  const secret = randomBytes(32).toString('base64url');
  const ports = await freePortsFor(['auth', 'messages', 'realtime', 'gateway', 'baseline'] as const);
  const gw = ports.gateway;
  const common = lockboxEnv(workDir, secret, ports, {
    ...NO_USER_RATE_LIMITS,
    DATABASE_POOL_MAX: '20',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
  });
  const start = processStarter(workDir, common, (name) =>
    opts.profile && name !== 'baseline' ? path.join(workDir, 'profiles') : undefined,
  );
  progress('starting auth, messages, realtime, the gateway and the baseline…');
  const [auth, messages, realtime, baselineProc] = await Promise.all([
    start('auth', ENTRIES.auth, ports.auth, {}, '/ready'),
    start('messages', ENTRIES.messages, ports.messages, {}, '/ready'),
    start('realtime', ENTRIES.realtime, ports.realtime, {}, '/ready'),
    start('baseline', 'scripts/bench/delivery-baseline.ts', ports.baseline, {}, '/health'),
  ]);
  const gateway = await start('gateway', ENTRIES.gateway, gw, gatewayEnv(ports), '/health');

  progress(`registering ${opts.pairs} sender/recipient pairs and making them contacts…`);
  const pairs = await registerPairs(gw, opts.pairs);
  const signature = randomBytes(64).toString('base64');
  const pairAt = (pair: number) => pairs[pair] as (typeof pairs)[number];

  const lockbox = newTarget('LockBox', [gateway, auth, messages, realtime], async (pair, blob) => {
    const p = pairAt(pair);
    const body = messageBody(p.recipient.id, randomUUID(), blob, signature);
    return (await httpCall(gw, 'POST', '/messages/send', body, p.sender.token)).status;
  });
  const baseline = newTarget('baseline', [baselineProc], async (pair, blob) => {
    const p = pairAt(pair);
    return (
      await httpCall(
        ports.baseline,
        'POST',
        `/send?from=${p.sender.id}`,
        `{"to":"${p.recipient.id}","blob":"${blob}"}`,
      )
    ).status;
  });
  progress('opening the recipients’ sockets (LockBox through the gateway, resuming from cursor 0)…');
  for (const p of pairs) {
    await openTargetSocket((after) => `ws://127.0.0.1:${gw}/ws?after=${after}`, lockbox, [
      'lockbox.v1',
      `bearer.${p.recipient.token}`,
    ]);
    await openTargetSocket(() => `ws://127.0.0.1:${ports.baseline}/ws?user=${p.recipient.id}`, baseline);
  }
  return { lockbox, baseline };
};
