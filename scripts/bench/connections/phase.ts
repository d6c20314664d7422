/**
 * One phase: open the sockets with as many client workers as the open-file
 * limit needs (stopping at the time limit or when free memory runs low), the
 * measured processes' RSS before and after, then one broadcast and the time
 * until every socket has it.
 */
import { randomBytes } from 'node:crypto';
import { fmt } from '../lib/markdown';
import { sleep } from '../lib/message-load';
import { treeUsage } from '../lib/proc-stats';
import type { Proc } from '../lib/processes';
import { broadcastNotice, connectionsOf, registerUsers } from './calls';
import type { OpenCommand } from './client-worker';
import { availableMemMb } from './limits';
import type { ConnectionsOptions } from './options';
import { startWorker, type Worker } from './worker-handle';

export interface PhaseResult {
  phase: string;
  wanted: number;
  opened: number;
  failed: number;
  firstError: string;
  openSeconds: number;
  rssBeforeMb: Record<string, number>;
  rssAfterMb: Record<string, number>;
  /** RSS after − before, per socket, by process and `total`. */
  kbPerSocket: Record<string, number>;
  /** All the measured processes' RSS after opening, whole (baselines included), per socket. */
  wholeKbPerSocket: number;
  clientRssMb: number;
  broadcastMs: number | undefined;
  broadcastReached: number;
  reportedByRealtime: number;
  stoppedBy: string;
}

export interface PhaseContext {
  opts: ConnectionsOptions;
  gatewayPort: number;
  internalToken: string;
  perProcessMax: number;
  /** Access tokens of the users registered so far (phases share them). */
  tokens: string[];
  progress: (m: string) => void;
}

/** RSS by process; a process's children (the gateway's workers) count as its own. */
const rssMb = (procs: Proc[]) =>
  Object.fromEntries(procs.map((p) => [p.name, treeUsage(p.pid).rssKb / 1024]));

/** Sockets every realtime instance says it holds, added up. */
const socketsAt = async (rtPorts: number[], internalToken: string) =>
  (await Promise.all(rtPorts.map((port) => connectionsOf(port, internalToken)))).reduce((a, n) => a + n, 0);

/** Opens the phase's sockets; what the workers report, and why opening stopped. */
const openSockets = async (
  ctx: PhaseContext,
  workers: Worker[],
  target: { port: number; rtPorts: number[] },
  paths: string[],
) => {
  const { opts, progress } = ctx;
  const share = Math.ceil(paths.length / workers.length);
  const deadlineMs = Date.now() + opts.timeLimitMs;
  let stoppedBy = 'done';
  let lowMemory = false;
  const memoryWatch = setInterval(() => {
    if (availableMemMb() < 1_500 && !lowMemory) {
      lowMemory = true;
      stoppedBy = 'low memory';
      progress('free memory below 1.5 GiB: stopping the clients where they are');
      for (const w of workers) w.proc.child.kill('SIGKILL');
    }
  }, 1_000);
  let lastLog = 0;
  for (const w of workers)
    w.on('progress', () => {
      if (Date.now() - lastLog > 5_000) {
        lastLog = Date.now();
        void socketsAt(target.rtPorts, ctx.internalToken).then((n) =>
          progress(`  ${n} sockets open at realtime`),
        );
      }
    });
  const outcomes = await Promise.all(
    workers.map((w, i) => {
      const done = w.next('opened', opts.timeLimitMs + 120_000);
      w.send({
        cmd: 'open',
        host: '127.0.0.1',
        port: target.port,
        paths: paths.slice(i * share, (i + 1) * share),
        addresses: opts.addresses,
        concurrency: opts.concurrency,
        deadlineMs,
      } satisfies OpenCommand);
      return done.catch(() => ({ open: 0, failed: 0, firstError: 'worker gone', rssKb: 0 }));
    }),
  );
  clearInterval(memoryWatch);
  if (Date.now() >= deadlineMs && stoppedBy === 'done') stoppedBy = 'time limit';
  return {
    stoppedBy,
    opened: outcomes.reduce((a, o) => a + Number(o.open ?? 0), 0),
    failed: outcomes.reduce((a, o) => a + Number(o.failed ?? 0), 0),
    firstError: String(outcomes.find((o) => o.firstError)?.firstError ?? ''),
  };
};

/**
 * One broadcast from one realtime instance (it reaches the others through Redis), and how long
 * until the workers saw it on every socket.
 */
const broadcastToAll = async (ctx: PhaseContext, workers: Worker[], rtPort: number, opened: number) => {
  const marker = `bench-${randomBytes(6).toString('hex')}`;
  for (const w of workers) w.send({ cmd: 'expect', marker });
  const seen = new Map<Worker, number>();
  let lastAt = 0;
  for (const w of workers)
    w.on('marker', (m) => {
      seen.set(w, Number(m.seen));
      lastAt = Math.max(lastAt, Number(m.at));
    });
  await sleep(200);
  const sentAt = Date.now();
  const b = await broadcastNotice(rtPort, ctx.internalToken, marker);
  if (b.status !== 200) ctx.progress(`  broadcast answered ${b.status} ${b.body.slice(0, 200)}`);
  const reachedAll = () => [...seen.values()].reduce((a, n) => a + n, 0) >= opened;
  const until = Date.now() + 60_000;
  while (!reachedAll() && Date.now() < until) await sleep(50);
  for (const w of workers) w.send({ cmd: 'count' });
  const counts = await Promise.all(workers.map((w) => w.next('count', 10_000).catch(() => ({ seen: 0 }))));
  return {
    broadcastReached: counts.reduce((a, c) => a + Number(c.seen ?? 0), 0),
    /** Asked again later: a late marker event still counts. */
    broadcastMs: () => (reachedAll() ? lastAt - sentAt : undefined),
  };
};

export const runPhase = async (
  ctx: PhaseContext,
  phase: string,
  target: { port: number; rtPorts: number[] },
  wanted: number,
  measured: Proc[],
): Promise<PhaseResult> => {
  const { opts, progress, tokens } = ctx;
  const usersNeeded = Math.ceil(wanted / opts.perUser);
  if (tokens.length < usersNeeded)
    await registerUsers(ctx.gatewayPort, tokens, usersNeeded - tokens.length, progress);
  const paths = Array.from(
    { length: wanted },
    (_, i) => `/ws?token=${tokens[Math.floor(i / opts.perUser)] as string}`,
  );
  await sleep(3_000);
  const rssBeforeMb = rssMb(measured);
  const workers = Array.from({ length: Math.ceil(wanted / ctx.perProcessMax) }, startWorker);
  progress(`${phase}: opening ${wanted} sockets with ${workers.length} client process(es)…`);
  const started = Date.now();
  const { stoppedBy, opened, failed, firstError } = await openSockets(ctx, workers, target, paths);
  const openSeconds = (Date.now() - started) / 1000;
  progress(
    `  ${opened} open, ${failed} failed (${firstError || 'no errors'}) in ${fmt(openSeconds)} s; settling…`,
  );
  await sleep(5_000);
  const rssAfterMb = rssMb(measured);
  const reportedByRealtime = await socketsAt(target.rtPorts, ctx.internalToken);
  const kbPerSocket: Record<string, number> = {};
  for (const p of measured)
    kbPerSocket[p.name] =
      (((rssAfterMb[p.name] ?? 0) - (rssBeforeMb[p.name] ?? 0)) * 1024) / Math.max(1, opened);
  kbPerSocket.total = Object.values(kbPerSocket).reduce((a, b) => a + b, 0);
  const wholeKbPerSocket =
    (Object.values(rssAfterMb).reduce((a, b) => a + b, 0) * 1024) / Math.max(1, opened);

  const { broadcastReached, broadcastMs } = await broadcastToAll(
    ctx,
    workers,
    target.rtPorts[0] as number,
    opened,
  );
  const clientRssMb = workers.reduce((a, w) => a + treeUsage(w.proc.pid).rssKb / 1024, 0);
  progress(
    `  broadcast reached ${broadcastReached}/${opened} in ${broadcastMs() !== undefined ? fmt(broadcastMs() as number) : '>60000'} ms; ` +
      `KB per socket: ${Object.entries(kbPerSocket)
        .map(([k, v]) => `${k} ${fmt(v)}`)
        .join(', ')}`,
  );
  for (const w of workers) w.send({ cmd: 'close' });
  await sleep(2_000);
  for (const w of workers) await w.proc.stop();
  return {
    phase,
    wanted,
    opened,
    failed,
    firstError,
    openSeconds,
    rssBeforeMb,
    rssAfterMb,
    kbPerSocket,
    wholeKbPerSocket,
    clientRssMb,
    broadcastMs: broadcastMs(),
    broadcastReached,
    reportedByRealtime,
    stoppedBy,
  };
};
