/**
 * Service bench (BENCH.md): the auth service's JWKS procedure served by
 * service-kit's adapter, as REST and as tRPC, against a plain node:http server
 * running the same handler code — plus tRPC's own standalone adapter with the
 * same router, to show why service-kit has its own. Goal (BENCH.md): ≥ 0.6× plain node:http.
 *
 *   npm run bench:service -- [--duration 10] [--rounds 3] …
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { deployable } from '@lockbox/contracts/deployables';
import { runAlternating, type Target } from './lib/alternate';
import { fmt, ratio, table, verdict, writeResults } from './lib/markdown';
import { REPO_ROOT, startAuthService, startNodeServer } from './lib/node-servers';
import { parseLoadOptions } from './lib/options';
import { loadAverage } from './lib/proc-stats';
import { PROFILE_NOTE, profilesReport } from './lib/profiles';
import { header, measuredSections, summarize } from './lib/report';
import { runBench } from './lib/run-bench';
import { ensureDebianTool, nodeVersion, toolVersion } from './lib/tools';

const REST_PATH = '/auth/.well-known/jwks.json';
const TRPC_PATH = '/trpc/auth.jwks';
const GOAL = 0.6;
const PLAIN = 'plain node:http';

const USAGE = `Service bench: the auth service's JWKS procedure (REST and tRPC) vs a plain node:http server
with the same handler, and vs tRPC's standalone adapter.

  npm run bench:service -- [options]

  --breakdown       also measure servers/adapter-steps.ts: the plain answer plus one adapter layer at a time
  --profile         run the Node servers under --cpu-prof and add their hot spots to the report`;

/** servers/adapter-steps.ts paths, in order: each adds one layer to the one before. */
const STEPS = [
  'plain answer',
  '+ request id, headers',
  '+ async handler',
  '+ zod input/output',
  '+ metrics histogram',
  'tRPC procedure call instead',
  'service-kit adapter (REST)',
];

const opts = parseLoadOptions(USAGE, ['breakdown', 'profile']);
const breakdown = opts.flags.breakdown === true;
const profiling = opts.flags.profile === true;

/** Each server has its own database, hence its own key: compare the document's shape, not its bytes. */
const checkJwks = async (t: Target, trpc: boolean) => {
  const res = await fetch(t.url);
  const body = (await res.json()) as { keys?: { kty?: string }[]; result?: { data?: { keys?: unknown[] } } };
  const doc = (trpc ? body.result?.data : body) as { keys?: { kty?: string }[] } | undefined;
  if (res.status !== 200 || doc?.keys?.length !== 1 || doc.keys[0]?.kty !== 'OKP')
    throw new Error(
      `${t.name} did not answer the JWKS (${res.status}): ${JSON.stringify(body).slice(0, 300)}`,
    );
};

await runBench('service', opts, async (workDir, progress) => {
  ensureDebianTool('wrk', 'wrk', progress);
  const startedAt = new Date();
  const loadBefore = loadAverage();
  progress(`load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')}; work dir ${workDir}`);

  const secret = randomBytes(32).toString('base64url');
  const profileDir = profiling ? path.join(workDir, 'profiles') : undefined;
  progress('starting the auth service, the plain server and the tRPC standalone server (PGlite each)…');
  const [auth, plain, standalone, steps] = await Promise.all([
    startAuthService(workDir, secret, profileDir),
    startNodeServer({
      name: 'plain',
      entry: 'scripts/bench/servers/plain-jwks.ts',
      workDir,
      env: { LOCKBOX_INTERNAL_SECRET: secret },
      readyPath: '/health',
      profileDir,
    }),
    startNodeServer({
      name: 'standalone',
      entry: 'scripts/bench/servers/trpc-standalone.ts',
      workDir,
      env: { LOCKBOX_INTERNAL_SECRET: secret },
      readyPath: TRPC_PATH,
      profileDir,
    }),
    breakdown
      ? startNodeServer({
          name: 'steps',
          entry: 'scripts/bench/servers/adapter-steps.ts',
          workDir,
          env: { LOCKBOX_INTERNAL_SECRET: secret },
          readyPath: '/health',
          profileDir,
        })
      : undefined,
  ]);
  const stepTargets: Target[] = steps
    ? STEPS.map((label, i) => ({ name: `step ${i}: ${label}`, url: `${steps.url}/steps/${i}` }))
    : [];

  const targets: Target[] = [
    { name: PLAIN, url: `${plain.url}${REST_PATH}` },
    { name: 'service REST', url: `${auth.url}${REST_PATH}` },
    { name: 'service tRPC', url: `${auth.url}${TRPC_PATH}` },
    { name: 'tRPC standalone', url: `${standalone.url}${TRPC_PATH}` },
    ...stepTargets,
  ];
  for (const t of targets) await checkJwks(t, t.url.includes('/trpc/'));

  const records = await runAlternating({
    ...opts,
    targets,
    watched: [
      { name: 'auth', pids: [auth.proc.pid] },
      { name: 'plain', pids: [plain.proc.pid] },
      { name: 'standalone', pids: [standalone.proc.pid] },
      ...(steps ? [{ name: 'steps', pids: [steps.proc.pid] }] : []),
    ],
    progress,
  });
  const loadAfter = loadAverage();
  const summaries = summarize(records, targets);
  const base = summaries.find((s) => s.name === PLAIN)!;

  const cpuOf = (target: string, proc: string) =>
    summaries.find((s) => s.name === target)?.processes.find((p) => p.name === proc)?.cpuUsPerRequest ??
    Number.NaN;

  const rows = summaries
    .filter((s) => s.name !== PLAIN && !s.name.startsWith('step '))
    .map((s) => {
      const perRound = records
        .filter((r) => r.target === s.name)
        .map((r) => {
          const b = records.find((x) => x.target === PLAIN && x.round === r.round);
          return b ? r.wrk.rps / b.wrk.rps : Number.NaN;
        });
      const t = s.rps / base.rps;
      const isOurs = s.name.startsWith('service');
      const server = s.name === 'tRPC standalone' ? 'standalone' : 'auth';
      return [
        `${s.name} / ${PLAIN}`,
        `${ratio(t)} (rounds ${fmt(Math.min(...perRound), 2)}–${fmt(Math.max(...perRound), 2)})`,
        ratio(cpuOf(PLAIN, 'plain') / cpuOf(s.name, server)),
        ratio(s.p99 / base.p99),
        isOurs ? `≥ ${GOAL}×` : 'reference (BENCH.md: ~0.1×)',
        isOurs ? verdict(t >= GOAL) : '',
      ];
    });

  const stepRows = stepTargets.map((t, i) => {
    const s = summaries.find((x) => x.name === t.name)!;
    const cpu = cpuOf(t.name, 'steps');
    // Steps 5 and 6 are alternatives to step 4's direct call, so both compare with step 4.
    const prev = i === 0 ? Number.NaN : cpuOf(stepTargets[i >= 5 ? 4 : i - 1]!.name, 'steps');
    return [t.name, fmt(s.rps, 0), ratio(s.rps / base.rps), fmt(cpu, 1), i === 0 ? '' : fmt(cpu - prev, 1)];
  });
  const breakdownSection = steps
    ? [
        '## Where the adapter’s time goes (`--breakdown`)',
        '',
        'One process (servers/adapter-steps.ts) answers the same JWKS with one more of the adapter’s layers per step, up to step 4 (what the adapter does around a direct call of the handler). Step 5 makes that call through the tRPC procedure instead (tRPC’s middleware chain running the same zod schemas), as the adapter did before it called procedures directly; step 6 is service-kit’s adapter itself (its request listener, REST path; it should match “service REST”); both Δ are against step 4. CPU µs per request of that process:',
        '',
        table(['step', 'req/s', 'vs plain', 'CPU µs / request', 'Δ µs'], stepRows),
        '',
      ].join('\n')
    : '';

  const profiles = profileDir
    ? await profilesReport(
        profileDir,
        [
          { process: 'auth', targets: ['service REST', 'service tRPC'] },
          { process: 'plain', targets: [PLAIN] },
          { process: 'standalone', targets: ['tRPC standalone'] },
          ...(steps ? [{ process: 'steps', targets: stepTargets.map((t) => t.name) }] : []),
        ],
        records,
      )
    : '';

  const report = [
    header({
      title: 'Service bench: service-kit adapter vs plain node:http vs tRPC standalone',
      startedAt,
      loadBefore,
      loadAfter,
      facts: [
        [
          'procedure',
          `\`auth.jwks\` — REST \`GET ${REST_PATH}\`, tRPC \`GET ${TRPC_PATH}\` (each server on its own PGlite, LOG_LEVEL=warn)`,
        ],
        [
          'load',
          `wrk ${opts.connections} connections, ${opts.threads} threads, ${opts.durationS} s per run after ${opts.warmupS} s warm-up per target, ${opts.rounds} rounds, target order rotating each round`,
        ],
        ['node', nodeVersion()],
        ['wrk', toolVersion('wrk', '-v').split(' [')[0] ?? 'wrk'],
        [
          'plain node:http',
          '`scripts/bench/servers/plain-jwks.ts`: `http.createServer`, one `if` on the URL, `JSON.stringify(issuer.jwks)` from the same TokenIssuer, Content-Length',
        ],
        [
          'service',
          `\`${deployable('auth').entry}\` through tsx (the code \`npm start\` bundles): service-kit adapter (request id, route lookup, context, tRPC middlewares, zod output validation, metrics histogram)`,
        ],
        [
          'tRPC standalone',
          '`scripts/bench/servers/trpc-standalone.ts`: `createHTTPServer` from `@trpc/server/adapters/standalone` with the same router (`authService.setup`)',
        ],
      ],
    }),
    '',
    ...(profiling ? ['', PROFILE_NOTE] : []),
    '',
    '## Verdict',
    '',
    table(['comparison', 'throughput', 'CPU per request (plain ÷ it)', 'p99 latency', 'goal', ''], rows, [
      'l',
      'r',
      'r',
      'r',
      'l',
      'l',
    ]),
    '',
    `CPU per request in the serving process: plain ${fmt(cpuOf(PLAIN, 'plain'), 1)} µs, service REST ${fmt(cpuOf('service REST', 'auth'), 1)} µs, service tRPC ${fmt(cpuOf('service tRPC', 'auth'), 1)} µs, tRPC standalone ${fmt(cpuOf('tRPC standalone', 'standalone'), 1)} µs.`,
    '',
    breakdownSection,
    ...measuredSections(
      summaries,
      records,
      opts.durationS,
      'wrk and the server share the machine’s cores. `bench` is this script (sampling /proc).',
    ),
    '',
    profiles,
    '',
    `Rerun: \`npm run bench:service\` (options: \`npm run bench:service -- --help\`).`,
  ].join('\n');

  process.stdout.write(`${report}\n`);
  const file = writeResults(profiling ? 'service-profile' : 'service', report);
  progress(`report written to ${path.relative(REPO_ROOT, file)}`);
  progress(`median req/s: ${summaries.map((s) => `${s.name} ${Math.round(s.rps)}`).join(', ')}`);
});
