/**
 * Connections bench (BENCH.md): open N authenticated sockets through the
 * gateway — its GATEWAY_WORKERS processes in front of several realtime
 * instances sharing Redis — from several client processes and 127.0.0.x
 * source addresses (one address has only ~28k ports), and report the memory
 * of every LockBox process per socket; then check delivery among them: one
 * broadcast notice (realtime's internal procedure, fanned out through Redis)
 * and the time until every socket has it. A second phase opens sockets
 * straight to one fresh realtime instance, for realtime's own cost.
 *
 * Bounded: each process may hold only as many sockets as its open-file limit
 * allows (raised here to the hard limit first; the gateway holds two
 * descriptors per proxied socket), opening stops at --time-limit, and when
 * the machine's free memory runs low.
 *
 * The clients are minimal WebSocket clients on raw TCP (they answer pings,
 * count frames, and keep no per-frame state) in worker processes — this file
 * run with --worker — so the load generator's own memory stays out of the way.
 *
 *   npm run bench:connections -- [--sockets 50000] [--gateway-workers N] [--realtime N]
 *        [--per-user 30] [--addresses 8] [--concurrency 200] [--time-limit 600] [--no-direct] [--keep]
 *
 * The parts live in connections/; a worker loads only the raw client, never the parent's modules.
 */
import { spawnSync } from 'node:child_process';
import { fdLimit, hardFdLimit } from './connections/limits';
import { parseConnectionsOptions } from './connections/options';

const opts = parseConnectionsOptions();
const RAISED = 'LOCKBOX_BENCH_NOFILE_RAISED';

if (!opts.worker && !opts.help && fdLimit() < hardFdLimit() && !process.env[RAISED]) {
  // Node cannot change its own limits: run again under a shell that raised the soft open-file
  // limit to the hard one (what an unprivileged process may do); every process started inherits it.
  const target = String(Math.min(hardFdLimit(), 1_048_576));
  const again = spawnSync(
    '/bin/sh',
    [
      '-c',
      'ulimit -n "$0" 2>/dev/null; exec "$@"',
      target,
      process.execPath,
      ...process.execArgv,
      ...process.argv.slice(1),
    ],
    { stdio: 'inherit', env: { ...process.env, [RAISED]: '1' } },
  );
  process.exit(again.status ?? 1);
} else if (opts.worker) {
  const { runWorker } = await import('./connections/client-worker');
  runWorker();
} else {
  const { runConnectionsBench } = await import('./connections/run');
  await runConnectionsBench(opts);
}
