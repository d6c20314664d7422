/** The connections bench's report: per phase, sockets opened, memory per socket, broadcast time. */
import os from 'node:os';
import { fmt, table, verdict } from '../lib/markdown';
import { nodeVersion } from '../lib/tools';
import type { SocketCaps } from './limits';
import type { ConnectionsOptions } from './options';
import type { PhaseResult } from './phase';

const GOAL_SOCKETS = 50_000;
const GOAL_KB = 12;
const GOAL_BROADCAST_MS = 1_000;

export interface ConnectionsRun {
  startedAt: Date;
  loadBefore: number[];
  caps: SocketCaps;
  gatewayWorkers: number;
  realtimeCount: number;
  results: PhaseResult[];
}

export const connectionsReport = (opts: ConnectionsOptions, run: ConnectionsRun): string => {
  const { startedAt, loadBefore, results, gatewayWorkers, realtimeCount } = run;
  const { limit, viaGatewayMax, perProcessMax } = run.caps;
  const first = results[0] as PhaseResult;
  return [
    '# Connections bench',
    '',
    `${startedAt.toISOString()} · ${os.cpus().length} cores · ${fmt(os.totalmem() / 2 ** 30, 1)} GiB · Node ${nodeVersion()} · open-file limit ${limit} per process · ${opts.perUser} sockets per user · client addresses ${opts.addresses[0]}–${opts.addresses.at(-1)} · load average before ${loadBefore.map((l) => l.toFixed(2)).join(' ')} · ${gatewayWorkers} gateway worker(s) · ${realtimeCount} realtime instance(s)${realtimeCount > 1 ? ' sharing Redis' : ''}`,
    '',
    `Goal: ${GOAL_SOCKETS.toLocaleString('en-US')} sockets at ≤ ${GOAL_KB} KB RSS per socket over every LockBox process (gateway with its workers, auth, messages, every realtime instance), broadcast to all in ≤ ${GOAL_BROADCAST_MS} ms. Each socket is authenticated (a real access token, checked at the upgrade) and registered for delivery; presence runs for every user. "KB/socket added" is RSS after − before opening; "whole RSS" divides all of it, idle baselines included.`,
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
        'KB/socket added',
        'KB/socket whole RSS',
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
        fmt(r.wholeKbPerSocket),
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
    `Through the gateway: ${first.opened.toLocaleString('en-US')} sockets at ${fmt(first.kbPerSocket.total ?? Number.NaN)} KB each added (${fmt(first.wholeKbPerSocket)} KB whole RSS) — ${verdict(first.wholeKbPerSocket <= GOAL_KB)} on memory (whole RSS); ${verdict(first.opened >= GOAL_SOCKETS)} on count; ${verdict(first.broadcastMs !== undefined && first.broadcastMs <= GOAL_BROADCAST_MS)} on broadcast.`,
    '',
    `What bounds the count: open files, ${limit} per process here (the soft limit raised to the hard one; higher needs CAP_SYS_RESOURCE, e.g. \`LimitNOFILE=\` in a systemd unit). A gateway worker holds two descriptors per proxied socket (client and upstream), so about ${viaGatewayMax.toLocaleString('en-US')} per worker; a realtime instance about ${perProcessMax.toLocaleString('en-US')}. Past that, more gateway workers (\`--gateway-workers\`, GATEWAY_WORKERS) and realtime instances (\`--realtime\`) — each adds its idle baseline to the whole RSS.`,
  ].join('\n');
};
