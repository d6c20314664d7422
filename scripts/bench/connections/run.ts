/**
 * The parent: start auth, messages, the realtime instances and the gateway
 * (its workers), run the phase through the gateway and (unless --no-direct)
 * the one straight to a fresh realtime instance, write the report.
 */
import { randomBytes } from 'node:crypto';
import { deriveCredentials } from '@lockbox/service-kit';
import {
  ENTRIES,
  freePortsFor,
  gatewayEnv,
  localUrl,
  lockboxEnv,
  processStarter,
} from '../lib/lockbox-stack';
import { writeResults } from '../lib/markdown';
import { loadAverage } from '../lib/proc-stats';
import { freePort, type Proc } from '../lib/processes';
import { runBench } from '../lib/run-bench';
import { socketCaps } from './limits';
import { type ConnectionsOptions, USAGE } from './options';
import { type PhaseContext, type PhaseResult, runPhase } from './phase';
import { connectionsReport } from './report';

export const runConnectionsBench = async (opts: ConnectionsOptions) => {
  if (opts.help) {
    process.stdout.write(USAGE);
    return;
  }
  await runBench('connections', { keep: opts.keep }, async (workDir, progress) => {
    const startedAt = new Date();
    const loadBefore = loadAverage();
    const caps = socketCaps();
    const gatewayWorkers = opts.gatewayWorkers ?? Math.max(1, Math.ceil(opts.wanted / caps.viaGatewayMax));
    const realtimeCount = opts.realtimeInstances ?? Math.max(1, Math.ceil(opts.wanted / caps.perProcessMax));
    progress(
      `open-file limit ${caps.limit} per process: ≤ ${caps.viaGatewayMax} sockets per gateway worker, ≤ ${caps.perProcessMax} per realtime; ` +
        `${gatewayWorkers} gateway worker(s), ${realtimeCount} realtime instance(s)`,
    );

    const secret = randomBytes(32).toString('base64url');
    const credentials = deriveCredentials(secret);
    const ports = await freePortsFor(['auth', 'messages', 'realtime', 'realtime2', 'gateway'] as const);
    const realtimePorts = [ports.realtime];
    for (let i = 1; i < realtimeCount; i++) realtimePorts.push(await freePort());
    const realtimeUrls = realtimePorts.map(localUrl).join(',');
    // Instances fan deliveries out through Redis; a prefix of its own keeps this run apart from anything else there.
    const redis: Record<string, string> =
      realtimeCount > 1
        ? { REDIS_URL: opts.redisUrl, LOCKBOX_REDIS_PREFIX: `bench-${randomBytes(4).toString('hex')}` }
        : {};
    const start = processStarter(
      workDir,
      lockboxEnv(workDir, secret, ports, {
        RL_REGISTER_PER_IP: '1000000',
        REALTIME_URLS: realtimeUrls,
        ...redis,
      }),
    );
    progress('starting auth, messages, realtime and the gateway…');
    const [auth, messages, ...realtimes] = await Promise.all([
      start('auth', ENTRIES.auth, ports.auth, {}, '/ready'),
      start('messages', ENTRIES.messages, ports.messages, {}, '/ready'),
      ...realtimePorts.map((port, i) =>
        start(realtimeCount > 1 ? `realtime-${i + 1}` : 'realtime', ENTRIES.realtime, port, {}, '/ready'),
      ),
    ]);
    const gateway = await start(
      'gateway',
      ENTRIES.gateway,
      ports.gateway,
      { ...gatewayEnv(ports), REALTIME_UPSTREAMS: realtimeUrls, GATEWAY_WORKERS: String(gatewayWorkers) },
      '/health',
    );

    const ctx: PhaseContext = {
      opts,
      gatewayPort: ports.gateway,
      internalToken: credentials.internalToken,
      perProcessMax: caps.perProcessMax,
      tokens: [],
      progress,
    };
    /** A phase aims for `--sockets`, or as many as `cap` allows. */
    const phase = (
      name: string,
      target: { port: number; rtPorts: number[] },
      cap: number,
      measured: Proc[],
    ) => runPhase(ctx, name, target, Math.min(opts.wanted, cap), measured);
    const everyProcess = [gateway, auth, messages, ...realtimes] as Proc[];
    const results: PhaseResult[] = [
      await phase(
        'through the gateway',
        { port: ports.gateway, rtPorts: realtimePorts },
        Math.min(gatewayWorkers * caps.viaGatewayMax, realtimeCount * caps.perProcessMax),
        everyProcess,
      ),
    ];
    if (!opts.noDirect) {
      // A fresh realtime process, so phase 1's heap does not hide phase 2's cost.
      await Promise.all(realtimes.map((r) => (r as Proc).stop()));
      const realtime2 = await start('realtime-direct', ENTRIES.realtime, ports.realtime2, {}, '/ready');
      results.push(
        await phase(
          'straight to realtime',
          { port: ports.realtime2, rtPorts: [ports.realtime2] },
          caps.perProcessMax,
          [realtime2],
        ),
      );
    }

    const md = connectionsReport(opts, {
      startedAt,
      loadBefore,
      caps,
      gatewayWorkers,
      realtimeCount,
      results,
    });
    process.stdout.write(`${md}\n`);
    progress(`report written to ${writeResults('connections', md)}`);
  });
};
