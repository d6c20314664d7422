/**
 * The parent: start auth, messages, realtime and the gateway, run the phase
 * through the gateway and (unless --no-direct) the one straight to a fresh
 * realtime instance, write the report.
 */
import { randomBytes } from 'node:crypto';
import { deriveCredentials } from '../../../packages/service-kit/src/index';
import { ENTRIES, freePorts, gatewayEnv, lockboxEnv, processStarter } from '../lib/lockbox-stack';
import { writeResults } from '../lib/markdown';
import { loadAverage } from '../lib/proc-stats';
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
    const [authPort, messagesPort, realtimePort, realtime2Port, gatewayPort] = (await freePorts(5)) as [
      number,
      number,
      number,
      number,
      number,
    ];
    const ports = { auth: authPort, messages: messagesPort, realtime: realtimePort };
    const start = processStarter(
      workDir,
      lockboxEnv(workDir, secret, ports, { RL_REGISTER_PER_IP: '1000000' }),
    );
    progress('starting auth, messages, realtime and the gateway…');
    const [, , realtime] = await Promise.all([
      start('auth', ENTRIES.auth, authPort, {}, '/ready'),
      start('messages', ENTRIES.messages, messagesPort, {}, '/ready'),
      start('realtime', ENTRIES.realtime, realtimePort, {}, '/ready'),
    ]);
    const gateway = await start('gateway', ENTRIES.gateway, gatewayPort, gatewayEnv(ports), '/health');

    const ctx: PhaseContext = {
      opts,
      gatewayPort,
      internalToken: credentials.internalToken,
      perProcessMax: caps.perProcessMax,
      tokens: [],
      progress,
    };
    const results: PhaseResult[] = [];
    results.push(
      await runPhase(
        ctx,
        'through the gateway',
        { port: gatewayPort, rtPort: realtimePort },
        Math.min(opts.wanted, caps.viaGatewayMax),
        [gateway, realtime],
      ),
    );
    if (!opts.noDirect) {
      // A fresh realtime process, so phase 1's heap does not hide phase 2's cost.
      await realtime.stop();
      const realtime2 = await start('realtime-2', ENTRIES.realtime, realtime2Port, {}, '/ready');
      results.push(
        await runPhase(
          ctx,
          'straight to realtime',
          { port: realtime2Port, rtPort: realtime2Port },
          Math.min(opts.wanted, caps.perProcessMax),
          [realtime2],
        ),
      );
    }

    const md = connectionsReport(opts, { startedAt, loadBefore, caps, results });
    process.stdout.write(`${md}\n`);
    progress(`report written to ${writeResults('connections', md)}`);
  });
};
