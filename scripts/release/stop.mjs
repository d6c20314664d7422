#!/usr/bin/env node
/** `npm run stop`: stops what `npm start` started. SIGTERM (graceful), then SIGKILL after 10 s. */
import fs from 'node:fs';
import path from 'node:path';
import { isRunning, readPid } from './pids.mjs';
import { settingsFrom } from './plan.mjs';

const GRACE_MS = 10_000;
const { runDir } = settingsFrom(process.env);
const pidFiles = fs.existsSync(runDir) ? fs.readdirSync(runDir).filter((f) => f.endsWith('.pid')) : [];
if (pidFiles.length === 0) {
  process.stdout.write('nothing to stop\n');
  process.exit(0);
}

const stopOne = async (file) => {
  const name = path.basename(file, '.pid');
  const pid = readPid(path.join(runDir, file));
  if (pid !== undefined && isRunning(pid)) {
    process.kill(pid, 'SIGTERM');
    const deadline = Date.now() + GRACE_MS;
    while (isRunning(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (isRunning(pid)) {
      process.kill(pid, 'SIGKILL');
      process.stdout.write(`  ${name} killed\n`);
    } else process.stdout.write(`  ${name} stopped\n`);
  }
  fs.rmSync(path.join(runDir, file), { force: true });
};

// The gateway first, so no request reaches a service that is going away; the services together.
const gateway = pidFiles.filter((f) => f === 'gateway.pid');
await Promise.all(gateway.map(stopOne));
await Promise.all(pidFiles.filter((f) => f !== 'gateway.pid').map(stopOne));
