#!/usr/bin/env node
/**
 * One process of `npm run dev`, in watch mode: each deployable package's `dev`
 * script runs this with its name, turbo runs them all together.
 *
 *   node scripts/release/dev-process.mjs auth|messages|realtime|gateway|web
 *
 * A service or the gateway runs its TypeScript entry under `tsx watch` (it
 * restarts when a file it imports changes) with the same ports, upstreams and
 * one data directory at the repository root that `npm start` uses, whichever
 * package folder turbo started it in. `web` runs Vite's dev server, which
 * proxies the API and the WebSocket to the gateway. LOCKBOX_BASE_PORT,
 * LOCKBOX_WEB_DEV_PORT and LOCKBOX_DATA_DIR / LOCKBOX_LOG_DIR move a dev stack
 * (the dev-mode test runs one beside whatever else is running).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { deployable } from '../../contracts/src/deployables.mjs';
import { planProcesses, settingsFrom } from './plan.mjs';

const name = process.argv[2];
const settings = settingsFrom(process.env);
const plan = planProcesses(settings);
const gateway = plan.find((p) => p.name === 'gateway');

const command = () => {
  if (name === 'web') {
    const web = path.join(settings.root, 'packages', 'web');
    return {
      bin: path.join(web, 'node_modules', '.bin', 'vite'),
      args: ['--port', String(settings.webPort), '--strictPort'],
      cwd: web,
      // 127.0.0.1, not localhost: Node may try ::1 first, where the gateway does not listen.
      env: { LOCKBOX_GATEWAY_URL: `http://127.0.0.1:${gateway.port}` },
    };
  }
  const planned = plan.find((p) => p.name === name);
  if (!planned) {
    process.stderr.write(`usage: dev-process.mjs ${[...plan.map((p) => p.name), 'web'].join('|')}\n`);
    process.exit(2);
  }
  return {
    bin: path.join(settings.root, 'node_modules', '.bin', 'tsx'),
    // turbo interleaves every task's output: clearing the screen on restart would wipe the others'.
    args: ['watch', '--clear-screen=false', deployable(name).entry],
    cwd: settings.root,
    env: planned.env,
  };
};

const { bin, args, cwd, env } = command();
const child = spawn(bin, args, { cwd, env: { ...process.env, ...env }, stdio: 'inherit' });
// Ctrl-C reaches the whole process group; a SIGTERM from turbo reaches only this process.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'])
  process.on(signal, () => {
    if (child.exitCode === null) child.kill(signal);
  });
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
