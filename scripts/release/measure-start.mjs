#!/usr/bin/env node
/**
 * Cold start to healthy: how long from launching the services and the gateway
 * until the gateway's /health answers 200, and how much CPU each process spent
 * getting there, for releases run from the bundles and (the way they ran
 * before) from the TypeScript sources through tsx; each with a fresh data
 * directory and with the existing one. Runs alternate so load drifts hit every
 * variant alike; the machine's load average is printed with each run.
 *
 *   node scripts/release/measure-start.mjs [--rounds 3] [--modes bundle,tsx] [--data fresh,existing]
 *                                          [--before <checkout>]
 *
 * --before adds the mode `before`: another checkout (say, a clone of an older commit with its
 * dependencies installed) run from its sources through tsx, for a before/after in the same runs.
 *
 * Uses LOCKBOX_BASE_PORT (default 18700) and a temporary data folder, so it runs beside `npm start`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ensureBundle } from './bundle.mjs';
import { launch, waitHealthy } from './launch.mjs';
import { planProcesses, settingsFrom } from './plan.mjs';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    modes: { type: 'string', default: 'bundle,tsx' },
    data: { type: 'string', default: 'fresh,existing' },
    before: { type: 'string' },
  },
});
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'lockbox-measure-start-'));
const env = { ...process.env, LOCKBOX_BASE_PORT: process.env.LOCKBOX_BASE_PORT ?? '18700' };
const CLOCK_TICKS = 100; // USER_HZ on Linux

const cpuSeconds = (pid) => {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS; // utime + stime
  } catch {
    return Number.NaN;
  }
};

const stopAll = async (children) => {
  for (const c of children) c.kill('SIGTERM');
  await Promise.all(
    children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : null)),
  );
};

/** One cold start; returns wall seconds to healthy and CPU seconds per process at that moment. */
const once = async (mode, data) => {
  const dataDir = path.join(work, `data-${mode}`);
  if (data === 'fresh') fs.rmSync(dataDir, { recursive: true, force: true });
  const settings = settingsFrom({
    ...env,
    LOCKBOX_DATA_DIR: dataDir,
    LOCKBOX_LOG_DIR: path.join(work, 'logs'),
  });
  fs.mkdirSync(settings.logDir, { recursive: true });
  if (mode === 'before') settings.root = path.resolve(values.before ?? '');
  const plan = planProcesses(settings);
  const load = os.loadavg()[0].toFixed(1);
  const started = performance.now();
  const children = plan.map((p) => launch(p, settings, mode === 'bundle' ? 'bundle' : 'source'));
  // launch() lets npm start exit while they run; this script waits for their exit.
  for (const c of children) c.ref();
  const gateway = plan.at(-1);
  const ok = await waitHealthy(`http://127.0.0.1:${gateway.port}/health`, 300_000);
  const wall = (performance.now() - started) / 1000;
  const cpu = Object.fromEntries(plan.map((p, i) => [p.name, cpuSeconds(children[i].pid)]));
  await stopAll(children);
  if (!ok) throw new Error(`${mode}/${data}: not healthy within 300 s (logs: ${settings.logDir})`);
  return { mode, data, wall, cpu, load };
};

for (const name of ['auth', 'messages', 'realtime', 'gateway']) await ensureBundle(name);
const modes = [...values.modes.split(','), ...(values.before ? ['before'] : [])];
const datas = values.data.split(',');
const results = [];
for (let round = 1; round <= Number(values.rounds); round++)
  for (const data of datas)
    for (const mode of modes) {
      const r = await once(mode, data);
      results.push(r);
      const cpu = Object.entries(r.cpu)
        .map(([n, s]) => `${n} ${s.toFixed(2)}`)
        .join(', ');
      process.stderr.write(
        `round ${round} ${mode.padEnd(6)} ${data.padEnd(8)} ${r.wall.toFixed(1)} s (load ${r.load}; CPU s: ${cpu})\n`,
      );
    }

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
process.stdout.write(
  `\n| run from | data dir | wall to healthy, median (runs) | CPU s, all processes, median | load average at the runs |\n|---|---|---|---|---|\n`,
);
for (const data of datas)
  for (const mode of modes) {
    const rs = results.filter((r) => r.mode === mode && r.data === data);
    const walls = rs.map((r) => r.wall);
    const cpus = rs.map((r) => Object.values(r.cpu).reduce((a, b) => a + b, 0));
    process.stdout.write(
      `| ${mode} | ${data} | ${median(walls).toFixed(1)} s (${walls.map((w) => w.toFixed(1)).join(', ')}) | ${median(cpus).toFixed(1)} | ${rs.map((r) => r.load).join(', ')} |\n`,
    );
  }
fs.rmSync(work, { recursive: true, force: true });
