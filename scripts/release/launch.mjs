/** Starting one planned process in the background, and waiting for the gateway's health. */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { deployable } from '../../contracts/src/deployables.mjs';

/**
 * The node arguments that run a deployable: its release bundle, or (`from: 'source'`)
 * its TypeScript entry through tsx, the way releases ran before there were bundles.
 */
export const nodeArgs = (name, from = 'bundle') =>
  from === 'bundle'
    ? ['--enable-source-maps', deployable(name).bundle]
    : ['--import', 'tsx', deployable(name).entry];

/**
 * Starts `planned` detached from this process, its output appended to logs/<name>.stdout.log.
 * @returns {import('node:child_process').ChildProcess}
 */
export const launch = (planned, settings, from = 'bundle') => {
  const out = fs.openSync(path.join(settings.logDir, `${planned.name}.stdout.log`), 'a');
  const child = spawn(process.execPath, nodeArgs(planned.deployable, from), {
    cwd: settings.root,
    // The services write their own log files; stdout would only repeat them.
    env: { ...process.env, LOCKBOX_LOG_STDOUT: process.env.LOCKBOX_LOG_STDOUT ?? '0', ...planned.env },
    detached: true,
    stdio: ['ignore', out, out],
  });
  child.unref();
  fs.closeSync(out);
  return child;
};

/** Polls `url` until it answers 2xx (true) or `deadlineMs` passes (false). */
export const waitHealthy = async (url, deadlineMs, onTick = () => {}) => {
  const deadline = Date.now() + deadlineMs;
  for (let tick = 0; Date.now() < deadline; tick++) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) return true;
    } catch {}
    onTick(tick);
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
};
