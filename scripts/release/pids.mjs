/** Pid files under run/: what `npm start` started and `npm run stop` stops. */
import fs from 'node:fs';

/** @returns {number | undefined} */
export const readPid = (file) => {
  try {
    const pid = Number(fs.readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
};

/**
 * Whether `pid` is alive and still a node process: a pid file left by a crash
 * must not make us signal whatever process later got that number.
 */
export const isRunning = (pid) => {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0].includes('node');
  } catch {
    return true; // no /proc (macOS): trust the signal check
  }
};
