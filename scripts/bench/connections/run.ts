/**
 * The parent: start auth, messages, realtime and the gateway, run the phase
 * through the gateway and (unless --no-direct) the one straight to a fresh
 * realtime instance, write the report.
 */
import { randomBytes } from 'node:crypto';
import { deriveCredentials } from '@lockbox/service-kit';
import { ENTRIES, freePortsFor, gatewayEnv, lockboxEnv, processStarter } from '../lib/lockbox-stack';
import { writeResults } from '../lib/markdown';
import { loadAverage } from '../lib/proc-stats';
import type { Proc } from '../lib/processes';
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
    progress(
      `open-file limit ${caps.limit} per process: ≤ ${caps.viaGatewayMax} sockets through one gateway, ≤ ${caps.perProcessMax} per realtime`,
    );

    const secret = randomBytes(32).toString('base64url');
    const credentials = deriveCredentials(secret);
    const ports = await freePortsFor(['auth', 'messages', 'realtime', 'realtime2', 'gateway'] as const);
    const start = processStarter(
      workDir,
      lockboxEnv(workDir, secret, ports, { RL_REGISTER_PER_IP: '1000000' }),
    );
    progress('starting auth, messages, realtime and the gateway…');
    const [, , realtime] = await Promise.all([
      start('auth', ENTRIES.auth, ports.auth, {}, '/ready'),
      start('messages', ENTRIES.messages, ports.messages, {}, '/ready'),
      start('realtime', ENTRIES.realtime, ports.realtime, {}, '/ready'),
    ]);
    const gateway = await start('gateway', ENTRIES.gateway, ports.gateway, gatewayEnv(ports), '/health');

    const ctx: PhaseContext = {
      opts,
      gatewayPort: ports.gateway,
      internalToken: credentials.internalToken,
      perProcessMax: caps.perProcessMax,
      tokens: [],
      progress,
    };
    /** A phase aims for `--sockets`, or as many as `cap` allows. */
    const phase = (name: string, target: { port: number; rtPort: number }, cap: number, measured: Proc[]) =>
      runPhase(ctx, name, target, Math.min(opts.wanted, cap), measured);
    const results: PhaseResult[] = [
      await phase(
        'through the gateway',
        { port: ports.gateway, rtPort: ports.realtime },
        caps.viaGatewayMax,
        [gateway, realtime],
      ),
    ];
    if (!opts.noDirect) {
      // A fresh realtime process, so phase 1's heap does not hide phase 2's cost.
      await realtime.stop();
      const realtime2 = await start('realtime-2', ENTRIES.realtime, ports.realtime2, {}, '/ready');
      results.push(
        await phase(
          'straight to realtime',
          { port: ports.realtime2, rtPort: ports.realtime2 },
          caps.perProcessMax,
          [realtime2],
        ),
      );
    }

    const md = connectionsReport(opts, { startedAt, loadBefore, caps, results });
    process.stdout.write(`${md}\n`);
    progress(`report written to ${writeResults('connections', md)}`);
  });
};
