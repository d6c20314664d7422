#!/usr/bin/env node
/**
 * The README's commands, with no dependency of their own so they run on a
 * fresh clone: install what is missing (pnpm at the pinned version, then the
 * workspace), then start / stop / test / bench.
 *
 *   npm start [-- --scale realtime=2]   install if needed, build the release bundles if their sources
 *                                       changed, start everything at http://localhost:8000
 *   npm run stop                        stop what npm start started
 *   npm run dev                         install if needed, every service, the gateway and the web app
 *                                       in watch mode (turbo; scripts/release/dev-process.mjs)
 *   npm run build                       the release bundles and the web app (turbo run build)
 *   npm test                            install if needed, lint, typecheck, run every test
 *   npm run bench:<name>                run a bench of the @lockbox/bench package (scripts/bench/<name>.ts)
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const PNPM_VERSION = JSON.parse(
  fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'),
).packageManager.split('@')[1];

process.env.TURBO_TELEMETRY_DISABLED ??= '1';

const log = (msg) => process.stderr.write(`[lockbox] ${msg}\n`);

const run = (cmd, args, opts = {}) => {
  const res = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit', ...opts });
  if (res.error) throw res.error;
  return res.status ?? 1;
};

const mustRun = (cmd, args, opts) => {
  const status = run(cmd, args, opts);
  if (status !== 0) {
    log(`${cmd} ${args.join(' ')} failed (exit ${status})`);
    process.exit(status);
  }
};

const pnpmVersion = () => {
  try {
    return execFileSync('pnpm', ['--version'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return undefined;
  }
};

/** pnpm at the pinned version: newer releases may refuse this lockfile. */
const ensurePnpm = () => {
  if (pnpmVersion() === PNPM_VERSION) return;
  log(`installing pnpm@${PNPM_VERSION}`);
  mustRun('npm', ['install', '--global', '--allow-scripts=pnpm', `pnpm@${PNPM_VERSION}`]);
  if (pnpmVersion() !== PNPM_VERSION) {
    log(`pnpm ${PNPM_VERSION} is not on PATH after install`);
    process.exit(1);
  }
};

/** Installs the workspace when node_modules is missing or older than the lockfile. */
const ensureDependencies = () => {
  ensurePnpm();
  const marker = path.join(ROOT, 'node_modules', '.modules.yaml');
  const lock = path.join(ROOT, 'pnpm-lock.yaml');
  const stale = !fs.existsSync(marker) || fs.statSync(marker).mtimeMs < fs.statSync(lock).mtimeMs;
  if (!stale) return;
  log('installing dependencies (pnpm install --frozen-lockfile)');
  mustRun('pnpm', ['install', '--frozen-lockfile']);
  // pnpm leaves the marker untouched when nothing changed; mark this lockfile as installed.
  const now = new Date();
  fs.utimesSync(marker, now, now);
};

/** Builds the web app when it exists and has not been built (the gateway serves its dist/). */
const ensureWebBuilt = () => {
  const web = path.join(ROOT, 'packages', 'web');
  if (!fs.existsSync(path.join(web, 'package.json'))) return;
  if (fs.existsSync(path.join(web, 'dist', 'index.html')) && process.env.LOCKBOX_REBUILD_WEB !== '1') return;
  log('building the web app');
  mustRun('pnpm', ['--filter', '@lockbox/web', 'build']);
};

const [command = 'help', ...rest] = process.argv.slice(2);

switch (command) {
  case 'start':
    ensureDependencies();
    ensureWebBuilt();
    process.exit(run(process.execPath, [path.join('scripts', 'release', 'start.mjs'), ...rest]));
    break;
  case 'stop':
    process.exit(run(process.execPath, [path.join('scripts', 'release', 'stop.mjs'), ...rest]));
    break;
  case 'dev':
  case 'build': {
    ensureDependencies();
    // Ctrl-C reaches turbo too (same process group), and turbo stops its tasks: wait for that
    // instead of exiting under it. SIGTERM/SIGHUP sent to this process alone are passed on.
    const turbo = spawn(path.join(ROOT, 'node_modules', '.bin', 'turbo'), ['run', command, ...rest], {
      cwd: ROOT,
      stdio: 'inherit',
    });
    process.on('SIGINT', () => {});
    for (const signal of ['SIGTERM', 'SIGHUP']) process.on(signal, () => turbo.kill(signal));
    turbo.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
    break;
  }
  case 'test': {
    ensureDependencies();
    if (fs.existsSync(path.join(ROOT, 'scripts', 'ensure-test-deps.sh')))
      mustRun('bash', ['scripts/ensure-test-deps.sh']);
    log('lint (biome)');
    mustRun('pnpm', ['exec', 'biome', 'check', '.']);
    log('typecheck (every package)');
    mustRun('pnpm', ['exec', 'turbo', 'run', 'typecheck', '--output-logs=errors-only']);
    log('tests (vitest, every package)');
    process.exit(run('pnpm', ['exec', 'vitest', 'run', ...rest]));
    break;
  }
  case 'bench': {
    ensureDependencies();
    // The bench package's `bench:<name>` scripts are the list of benches; each runs `<name>.ts`
    // through tsx from the package's folder, as those scripts do (npm passes the options on
    // without the `--` that pnpm would hand through).
    const benchDir = path.join(ROOT, 'scripts', 'bench');
    const { scripts = {} } = JSON.parse(fs.readFileSync(path.join(benchDir, 'package.json'), 'utf8'));
    const benches = Object.keys(scripts)
      .filter((s) => s.startsWith('bench:'))
      .map((s) => s.slice('bench:'.length));
    const [name, ...args] = rest;
    if (!name || !benches.includes(name)) {
      log(`usage: npm run bench:<name> [-- options, --help for each]; have: ${benches.join(', ')}`);
      process.exit(2);
    }
    process.exit(run(process.execPath, ['--import', 'tsx', `${name}.ts`, ...args], { cwd: benchDir }));
    break;
  }
  default:
    log('usage: node scripts/lockbox.mjs start|stop|dev|build|test|bench <name>');
    process.exit(command === 'help' ? 0 : 2);
}
