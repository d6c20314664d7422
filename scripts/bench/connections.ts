/**
 * Connections bench (BENCH.md): open N authenticated sockets through the
 * gateway, from several 127.0.0.x source addresses (one address has only
 * ~28k ports), and report the memory each costs the gateway and the realtime
 * service together (RSS after − RSS before, per socket); then check delivery
 * among them: one broadcast notice (realtime's internal procedure) and the
 * time until every socket has it. A second phase opens sockets straight to a
 * fresh realtime instance, for realtime's own cost at a larger count.
 *
 * Bounded: each process may hold only as many sockets as its open-file limit
 * allows (the gateway holds two descriptors per proxied socket), opening
 * stops at --time-limit, and when the machine's free memory runs low.
 *
 * The clients are minimal WebSocket clients on raw TCP (they answer pings,
 * count frames, and keep no per-frame state) in worker processes — this file
 * run with --worker — so the load generator's own memory stays out of the way.
 *
 *   npm run bench:connections -- [--sockets 50000] [--per-user 30] [--addresses 8]
 *        [--concurrency 200] [--time-limit 600] [--no-direct] [--keep]
 *
 * The parts live in connections/; a worker loads only the raw client, never the parent's modules.
 */
import { parseConnectionsOptions } from './connections/options';

const opts = parseConnectionsOptions();

if (opts.worker) {
  const { runWorker } = await import('./connections/client-worker');
  runWorker();
} else {
  const { runConnectionsBench } = await import('./connections/run');
  await runConnectionsBench(opts);
}
