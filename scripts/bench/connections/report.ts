/** The connections bench's report: per phase, sockets opened, memory per socket, broadcast time. */
import os from 'node:os';
import { fmt, table, verdict } from '../lib/markdown';
import { nodeVersion } from '../lib/tools';
import type { SocketCaps } from './limits';
import type { ConnectionsOptions } from './options';
import type { PhaseResult } from './phase';

const GOAL_SOCKETS = 50_000;
const GOAL_KB = 12;

export interface ConnectionsRun {
  startedAt: Date;
  loadBefore: number[];
  caps: SocketCaps;
  results: PhaseResult[];
}

export const connectionsReport = (opts: ConnectionsOptions, run: ConnectionsRun): string => {
  const { startedAt, loadBefore, results } = run;
  const { limit, viaGatewayMax, perProcessMax } = run.caps;
  const first = results[0] as PhaseResult;
  return [
    '# Connections bench',
    '',
    `${startedAt.toISOString()} · ${os.cpus().length} cores · ${fmt(os.totalmem() / 2 ** 30, 1)} GiB · Node ${nodeVersion()} · open-file limit ${limit} per process · ${opts.perUser} sockets per user · client addresses ${opts.addresses[0]}–${opts.addresses.at(-1)} · load average before ${loadBefore.map((l) => l.toFixed(2)).join(' ')}`,
    '',
    `Goal: ${GOAL_SOCKETS.toLocaleString('en-US')} sockets at ≤ ${GOAL_KB} KB RSS per socket (gateway + realtime together). Each socket is authenticated (a real access token, checked at the upgrade) and registered for delivery; presence runs for every user.`,
    '',
    table(
      [
        'phase',
        'wanted',
        'opened',
        'failed',
        'open time s',
        'stopped by',
        'realtime reports',
        'KB/socket (measured processes)',
        'KB/socket total',
        'broadcast to all',
        'client RSS MiB',
      ],
      results.map((r) => [
        r.phase,
        r.wanted,
        r.opened,
        r.failed,
        fmt(r.openSeconds),
        r.stoppedBy,
        r.reportedByRealtime,
        Object.entries(r.kbPerSocket)
          .filter(([k]) => k !== 'total')
          .map(([k, v]) => `${k} ${fmt(v)}`)
          .join(', '),
        fmt(r.kbPerSocket.total ?? Number.NaN),
        r.broadcastMs === undefined
          ? `${r.broadcastReached}/${r.opened} in 60 s`
          : `${fmt(r.broadcastMs)} ms`,
        fmt(r.clientRssMb, 0),
      ]),
    ),
    '',
    table(
      ['phase', 'process', 'RSS before MiB', 'RSS after MiB'],
      results.flatMap((r) =>
        Object.keys(r.rssAfterMb).map((name) => [
          r.phase,
          name,
          fmt(r.rssBeforeMb[name] ?? 0, 0),
          fmt(r.rssAfterMb[name] ?? 0, 0),
        ]),
      ),
    ),
    '',
    `Through the gateway: ${first.opened.toLocaleString('en-US')} sockets at ${fmt(first.kbPerSocket.total ?? Number.NaN)} KB each (gateway + realtime) — ${verdict((first.kbPerSocket.total ?? Infinity) <= GOAL_KB)} on memory; ${verdict(first.opened >= GOAL_SOCKETS)} on count.`,
    '',
    `Why the count stops where it does: this container caps open files at ${limit} per process (hard limit; not raisable without CAP_SYS_RESOURCE), and the gateway holds two descriptors per proxied socket (client and upstream), so one gateway process can hold about ${viaGatewayMax.toLocaleString('en-US')} and one realtime process about ${perProcessMax.toLocaleString('en-US')}. ${GOAL_SOCKETS.toLocaleString('en-US')} sockets need a higher limit (e.g. \`LimitNOFILE=262144\` in a systemd unit, or \`ulimit -n\` as root outside a container) or several gateway/realtime instances.`,
  ].join('\n');
};
