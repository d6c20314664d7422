/**
 * Gateway bench (BENCH.md): one cheap public endpoint, the JWKS, at 50
 * connections, through our gateway, through NGINX with the original LockBox
 * routing, and from the auth service directly — alternating, in the same run.
 * Goal (BENCH.md): gateway ≥ 0.8× NGINX throughput, p99 ≤ 1.3× NGINX.
 *
 * Both front ends log every request by default (NGINX's access_log, the
 * gateway's access log line), so a second pair with logging off runs in the
 * same rounds and shows what logging costs each.
 *
 *   npm run bench:gateway -- [--no-log-pair] [--floor] [--duration 10] …
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { deployable } from '@lockbox/contracts/deployables';
import { runAlternating, type Target, type Watched } from './lib/alternate';
import { fmt, ratio, table, verdict, writeResults } from './lib/markdown';
import { startNginx } from './lib/nginx';
import { REPO_ROOT, startAuthService, startNodeServer } from './lib/node-servers';
import { parseLoadOptions } from './lib/options';
import { loadAverage } from './lib/proc-stats';
import { freePort } from './lib/processes';
import { PROFILE_NOTE, profilesReport } from './lib/profiles';
import { header, measuredSections, summarize } from './lib/report';
import { runBench } from './lib/run-bench';
import { ensureDebianTool, nodeVersion, toolVersion } from './lib/tools';

const ENDPOINT = '/auth/.well-known/jwks.json';
const GATEWAY_ENTRY = deployable('gateway').entry;
const GOAL_THROUGHPUT = 0.8;
const GOAL_P99 = 1.3;

const USAGE = `Gateway bench: the JWKS through the gateway vs NGINX (original routing) vs the service directly.

  npm run bench:gateway -- [options]

  --no-log-pair     skip the second NGINX/gateway pair that runs with access logging off
  --floor           also measure servers/min-proxy.ts, a bare undici proxy: the floor for a Node gateway
  --profile         run the Node servers under --cpu-prof and add their hot spots to the report`;

const FLOOR = 'Node floor (bare undici proxy)';

const opts = parseLoadOptions(USAGE, ['no-log-pair', 'floor', 'profile']);

await runBench('gateway', opts, async (workDir, progress) => {
  const logPair = !opts.flags['no-log-pair'];
  ensureDebianTool('wrk', 'wrk', progress);
  ensureDebianTool('nginx', 'nginx', progress);
  const haveGateway = fs.existsSync(path.join(REPO_ROOT, GATEWAY_ENTRY));
  if (!haveGateway) progress(`${GATEWAY_ENTRY} does not exist yet: measuring NGINX and the service only`);

  const startedAt = new Date();
  const loadBefore = loadAverage();
  progress(`load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')}; work dir ${workDir}`);

  const secret = randomBytes(32).toString('base64url');
  const profileDir = opts.flags.profile ? path.join(workDir, 'profiles') : undefined;
  progress('starting the auth service (PGlite)…');
  const auth = await startAuthService(workDir, secret, profileDir);
  // Nothing listens there: the original routing has these upstreams, the bench never calls them.
  const upstreams = {
    auth: auth.url,
    messages: `http://127.0.0.1:${await freePort()}`,
    realtime: `http://127.0.0.1:${await freePort()}`,
  };

  progress('starting NGINX…');
  const nginx = await startNginx({ name: 'nginx', workDir, upstreams, accessLog: true, probePath: ENDPOINT });
  const nginxQuiet = logPair
    ? await startNginx({ name: 'nginx-nolog', workDir, upstreams, accessLog: false, probePath: ENDPOINT })
    : undefined;

  const gatewayEnv = async (accessLog: boolean) => ({
    AUTH_UPSTREAMS: auth.url,
    MESSAGES_UPSTREAMS: 'off',
    REALTIME_UPSTREAMS: 'off',
    LOCKBOX_INTERNAL_SECRET: secret,
    LOG_LEVEL: accessLog ? 'info' : 'warn',
    GATEWAY_ACCESS_LOG: accessLog ? '1' : '0',
    // The per-IP limiter stays on (its cost is part of the gateway) but can't trip: all load comes from 127.0.0.1.
    RL_GATEWAY_PER_IP: '1000000000',
    // Metrics are recorded as in production; each gateway needs its own admin listener port.
    GATEWAY_ADMIN_PORT: String(await freePort()),
  });
  let gateway: Awaited<ReturnType<typeof startNodeServer>> | undefined;
  let gatewayQuiet: typeof gateway;
  if (haveGateway) {
    progress('starting the gateway…');
    gateway = await startNodeServer({
      name: 'gateway',
      entry: GATEWAY_ENTRY,
      workDir,
      env: await gatewayEnv(true),
      readyPath: '/health',
      profileDir,
    });
    if (logPair)
      gatewayQuiet = await startNodeServer({
        name: 'gateway-nolog',
        entry: GATEWAY_ENTRY,
        workDir,
        env: await gatewayEnv(false),
        readyPath: '/health',
        profileDir,
      });
  }

  const floor = opts.flags.floor
    ? await startNodeServer({
        name: 'node-floor',
        entry: 'scripts/bench/servers/min-proxy.ts',
        workDir,
        env: { UPSTREAM: auth.url },
        readyPath: '/health',
        profileDir,
      })
    : undefined;

  const targets: Target[] = [
    { name: 'service direct', url: `${auth.url}${ENDPOINT}` },
    { name: 'NGINX', url: `${nginx.url}${ENDPOINT}` },
    ...(gateway ? [{ name: 'gateway', url: `${gateway.url}${ENDPOINT}` }] : []),
    ...(nginxQuiet ? [{ name: 'NGINX, no access log', url: `${nginxQuiet.url}${ENDPOINT}` }] : []),
    ...(gatewayQuiet ? [{ name: 'gateway, no access log', url: `${gatewayQuiet.url}${ENDPOINT}` }] : []),
    ...(floor ? [{ name: FLOOR, url: `${floor.url}${ENDPOINT}` }] : []),
  ];

  // Every target must serve the same document before anything is timed.
  const reference = await (await fetch(targets[0]!.url)).text();
  for (const t of targets) {
    const res = await fetch(t.url);
    const body = await res.text();
    if (res.status !== 200 || JSON.stringify(JSON.parse(body)) !== JSON.stringify(JSON.parse(reference)))
      throw new Error(`${t.name} answered ${res.status} with a different body:\n${body.slice(0, 300)}`);
  }

  const watched: Watched[] = [
    { name: 'auth', pids: [auth.proc.pid] },
    { name: 'nginx', pids: nginx.pids() },
    ...(nginxQuiet ? [{ name: 'nginx-nolog', pids: nginxQuiet.pids() }] : []),
    ...(gateway ? [{ name: 'gateway', pids: [gateway.proc.pid] }] : []),
    ...(gatewayQuiet ? [{ name: 'gateway-nolog', pids: [gatewayQuiet.proc.pid] }] : []),
    ...(floor ? [{ name: 'node-floor', pids: [floor.proc.pid] }] : []),
  ];
  const records = await runAlternating({ ...opts, targets, watched, progress });
  const loadAfter = loadAverage();
  const summaries = summarize(records, targets);
  const byName = new Map(summaries.map((s) => [s.name, s]));

  const comparisons: [string, string, string][] = [
    ['gateway', 'NGINX', 'access logs on (both)'],
    ['gateway, no access log', 'NGINX, no access log', 'access logs off (both)'],
  ];
  const ratioRows = comparisons.flatMap(([ours, theirs, label]) => {
    const a = byName.get(ours);
    const b = byName.get(theirs);
    if (!a || !b) return [];
    const perRound = records
      .filter((r) => r.target === ours)
      .map((r) => {
        const base = records.find((x) => x.target === theirs && x.round === r.round);
        return base ? r.wrk.rps / base.wrk.rps : Number.NaN;
      });
    const t = a.rps / b.rps;
    const p = a.p99 / b.p99;
    return [
      [
        `${ours} / ${theirs}`,
        label,
        `${ratio(t)} (rounds ${fmt(Math.min(...perRound), 2)}–${fmt(Math.max(...perRound), 2)})`,
        ratio(p),
        `≥ ${GOAL_THROUGHPUT}×, p99 ≤ ${GOAL_P99}×`,
        verdict(t >= GOAL_THROUGHPUT && p <= GOAL_P99),
      ],
    ];
  });
  const direct = byName.get('service direct');
  const overDirect = summaries
    .filter((s) => s.name !== 'service direct' && direct)
    .map((s) => [s.name, ratio(s.rps / direct!.rps), ratio(s.p99 / direct!.p99)]);

  /** CPU µs per request of each proxy (NGINX: master and workers) and of the service behind it. */
  const cpuRows = (
    [
      ['service direct', undefined],
      ['NGINX', 'nginx'],
      ['gateway', 'gateway'],
      ['NGINX, no access log', 'nginx-nolog'],
      ['gateway, no access log', 'gateway-nolog'],
      [FLOOR, 'node-floor'],
    ] as const
  ).flatMap(([target, proxy]) => {
    const s = byName.get(target);
    if (!s) return [];
    const us = (name: string) => s.processes.find((p) => p.name === name)?.cpuUsPerRequest ?? Number.NaN;
    return [[target, proxy ? fmt(us(proxy), 1) : '—', fmt(us('auth'), 1), fmt(us('wrk'), 1)]];
  });

  const profiles = profileDir
    ? await profilesReport(
        profileDir,
        [
          { process: 'auth', targets: ['service direct'] },
          ...(gateway ? [{ process: 'gateway', targets: ['gateway'] }] : []),
          ...(gatewayQuiet ? [{ process: 'gateway-nolog', targets: ['gateway, no access log'] }] : []),
          ...(floor ? [{ process: 'node-floor', targets: [FLOOR] }] : []),
        ],
        records,
      )
    : '';

  const report = [
    header({
      title: 'Gateway bench: JWKS through the gateway vs NGINX vs the service',
      startedAt,
      loadBefore,
      loadAfter,
      facts: [
        ['endpoint', `\`GET ${ENDPOINT}\` (auth service on PGlite, LOG_LEVEL=warn)`],
        [
          'load',
          `wrk ${opts.connections} connections, ${opts.threads} threads, ${opts.durationS} s per run after ${opts.warmupS} s warm-up per target, ${opts.rounds} rounds, target order rotating each round`,
        ],
        ['node', nodeVersion()],
        ['nginx', toolVersion('nginx', '-v').replace('nginx version: ', '')],
        ['wrk', toolVersion('wrk', '-v').split(' [')[0] ?? 'wrk'],
        [
          'NGINX',
          'original LockBox routing (`/auth/` `/users/` → auth, `/messages/` `/chat-requests/` → messages, `/ws` → realtime with upgrade headers), `worker_processes auto`, upstream `keepalive 64` with `proxy_http_version 1.1` and `Connection ""`; config below',
        ],
        [
          'gateway',
          haveGateway
            ? `\`${GATEWAY_ENTRY}\` through tsx, NODE_ENV=production, AUTH_UPSTREAMS=the service, messages/realtime off; per-IP limiter on with an unreachable limit (RL_GATEWAY_PER_IP=1e9)`
            : `**not measured: ${GATEWAY_ENTRY} does not exist yet**`,
        ],
        [
          'logging',
          'NGINX writes its combined access_log and the gateway its access log line per request (GATEWAY_ACCESS_LOG=1, LOG_LEVEL=info, pino to a file); the "no access log" pair runs NGINX with `access_log off` and the gateway with GATEWAY_ACCESS_LOG=0, LOG_LEVEL=warn',
        ],
        ...(floor
          ? [
              [
                'Node floor',
                '`scripts/bench/servers/min-proxy.ts`: node:http handing each request to an undici Pool with the `dispatch` API the gateway uses, no checks, metrics or logs — the least a Node proxy costs here',
              ] as [string, string],
            ]
          : []),
      ],
    }),
    ...(profileDir ? ['', PROFILE_NOTE] : []),
    '',
    '## Verdict',
    '',
    ratioRows.length
      ? table(['comparison', 'logging', 'throughput', 'p99 latency', 'goal', ''], ratioRows, [
          'l',
          'l',
          'r',
          'r',
          'l',
          'l',
        ])
      : '_No gateway to compare yet._',
    '',
    'Relative to the service answering directly (the cost of any proxy on this machine):',
    '',
    table(['target', 'throughput vs direct', 'p99 vs direct'], overDirect),
    '',
    'CPU µs per request (the cores are shared, so these sums decide throughput):',
    '',
    table(['target', 'proxy', 'auth service', 'wrk'], cpuRows),
    '',
    ...measuredSections(
      summaries,
      records,
      opts.durationS,
      'The machine has only these cores; wrk, the proxy and the service compete for them. `bench` is this script (sampling /proc).',
    ),
    '',
    profiles,
    '',
    '## NGINX config used',
    '',
    '```nginx',
    nginx.config.replaceAll(workDir, '<tmp>').trimEnd(),
    '```',
    '',
    `Rerun: \`npm run bench:gateway\` (options: \`npm run bench:gateway -- --help\`).`,
  ].join('\n');

  process.stdout.write(`${report}\n`);
  const file = writeResults(profileDir ? 'gateway-profile' : 'gateway', report);
  progress(`report written to ${path.relative(REPO_ROOT, file)}`);
  progress(`median req/s: ${summaries.map((s) => `${s.name} ${Math.round(s.rps)}`).join(', ')}`);
});
