#!/usr/bin/env node
/**
 * `npm start`: builds the release bundles if their sources changed, starts every
 * service and the gateway from them in the background (pid files under run/,
 * logs under logs/), then waits until the gateway reports every service healthy.
 *
 *   node scripts/release/start.mjs [--scale SERVICE=N ...]
 *
 * --scale runs N instances of a service (instance i on its port + 10·i) behind
 * the gateway. Several instances of a service with a database need
 * DATABASE_URL (PGlite is one process per data directory); several realtime
 * instances fan out over REDIS_URL.
 */
import fs from 'node:fs';
import path from 'node:path';
import { deployable } from '../../contracts/src/deployables.mjs';
import { ensureBundle } from './bundle.mjs';
import { launch, waitHealthy } from './launch.mjs';
import { isRunning, readPid } from './pids.mjs';
import { planProcesses, SERVICES, settingsFrom } from './plan.mjs';

const HEALTH_DEADLINE_MS = 180_000;
const say = (line) => process.stdout.write(`${line}\n`);
const fail = (line, code = 2) => {
  process.stderr.write(`${line}\n`);
  process.exit(code);
};

const parseScale = (args) => {
  /** @type {Record<string, number>} */
  const scale = {};
  for (let i = 0; i < args.length; i++) {
    let value = args[i];
    if (value === '--scale') value = args[++i] ?? '';
    else if (value.startsWith('--scale=')) value = value.slice('--scale='.length);
    else fail(`unknown option: ${value}`);
    const m = /^([a-z]+)=([1-9])$/.exec(value);
    if (!m || !SERVICES.includes(m[1])) fail(`usage: --scale ${SERVICES.join('|')}=N (1-9)`);
    scale[m[1]] = Number(m[2]);
  }
  return scale;
};

const checkScale = (scale) => {
  for (const [name, n] of Object.entries(scale)) {
    if (n < 2) continue;
    if (name === 'realtime' && !process.env.REDIS_URL)
      fail(`--scale realtime=${n} needs REDIS_URL (instances fan out through Redis)`);
    if (name !== 'realtime' && !process.env.DATABASE_URL)
      fail(
        `--scale ${name}=${n} needs DATABASE_URL (several instances cannot share one embedded PGlite directory)`,
      );
  }
};

const started = performance.now();
const scale = parseScale(process.argv.slice(2));
checkScale(scale);
const settings = settingsFrom(process.env);
for (const dir of [settings.dataDir, settings.logDir, settings.runDir])
  fs.mkdirSync(dir, { recursive: true });

const plan = planProcesses(settings, scale);
// PORT in the environment keeps its old meaning for npm start: the gateway's port.
const gateway = plan.at(-1);
if (process.env.PORT && !process.env.LOCKBOX_BASE_PORT) {
  gateway.port = Number(process.env.PORT);
  gateway.env.PORT = process.env.PORT;
}

for (const name of new Set(plan.map((p) => p.deployable))) {
  const { built } = await ensureBundle(name);
  if (built) say(`  built ${deployable(name).bundle}`);
}

say(`starting LockBox (data: ${settings.dataDir}, logs: ${settings.logDir})`);
for (const p of plan) {
  const pidFile = path.join(settings.runDir, `${p.name}.pid`);
  const pid = readPid(pidFile);
  if (pid !== undefined && isRunning(pid)) {
    say(`  ${p.name} already running (pid ${pid})`);
    continue;
  }
  const child = launch(p, settings);
  fs.writeFileSync(pidFile, `${child.pid}\n`);
  say(`  ${p.name} on :${p.port} (pid ${child.pid})`);
}

process.stdout.write(`waiting for http://127.0.0.1:${gateway.port}/health `);
const healthy = await waitHealthy(`http://127.0.0.1:${gateway.port}/health`, HEALTH_DEADLINE_MS, (tick) => {
  if (tick % 10 === 9) process.stdout.write('.');
});
const seconds = ((performance.now() - started) / 1000).toFixed(1);
if (!healthy) {
  process.stdout.write(' timed out\n');
  for (const p of plan) {
    const file = path.join(settings.logDir, `${p.name}.stdout.log`);
    const tail = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-20) : [];
    if (tail.length > 0) process.stderr.write(`==> ${file} <==\n${tail.join('\n')}\n`);
  }
  fail(`LockBox did not become healthy; see ${settings.logDir}/*.log`, 1);
}
say(` ok (${seconds} s)`);
say(`LockBox is up: http://localhost:${gateway.port}  (API reference: /docs; stop with: npm run stop)`);
