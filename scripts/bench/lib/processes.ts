/**
 * Child processes a bench starts: spawn with output to a log file, wait until
 * an HTTP probe answers, and stop every one of them on the way out — normal
 * end, error, Ctrl-C or SIGTERM — so a bench never leaves a server behind.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';

export interface Proc {
  name: string;
  pid: number;
  child: ChildProcess;
  logFile: string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
  stop(graceMs?: number): Promise<void>;
  /** The last lines of its output, for error messages. */
  tail(lines?: number): string;
}

export interface SpawnOptions {
  env?: Record<string, string>;
  cwd?: string;
  logFile: string;
}

const running = new Set<Proc>();

export const spawnProc = (name: string, command: string, args: string[], opts: SpawnOptions): Proc => {
  const out = fs.openSync(opts.logFile, 'a');
  // Benches measure the embedded default: a DATABASE_URL or REDIS_URL from the shell must not leak in.
  const { DATABASE_URL: _db, REDIS_URL: _redis, ...inherited } = process.env;
  const child = spawn(command, args, {
    cwd: opts.cwd,
    env: { ...inherited, ...opts.env },
    stdio: ['ignore', out, out],
  });
  fs.closeSync(out);
  if (child.pid === undefined) throw new Error(`could not start ${name} (${command})`);
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  child.once('error', () => undefined); // a spawn failure shows up as exit + the message in the log
  const proc: Proc = {
    name,
    pid: child.pid,
    child,
    logFile: opts.logFile,
    stop: async (graceMs = 10_000) => {
      running.delete(proc);
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
    tail: (lines = 20) => {
      try {
        return fs.readFileSync(opts.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
      } catch {
        return '';
      }
    },
  };
  running.add(proc);
  return proc;
};

/** Children started some other way (e.g. testkit's `startStack`) that must stop with the bench. */
export interface Adopted {
  /** Stops them (gracefully if it can); resolves when they are gone. */
  stop(): Promise<void>;
  /** Kills them at once, synchronously (the process is exiting). */
  killNow(): void;
}

const adopted = new Set<Adopted>();

/** Makes `stopAll` (and the exit hooks of `stopEverythingOnExit`) stop these children too. */
export const adopt = (children: Adopted) => {
  adopted.add(children);
};

export const stopAll = async () => {
  const others = [...adopted];
  adopted.clear();
  await Promise.all([...[...running].map((p) => p.stop()), ...others.map((a) => a.stop())]);
};

/**
 * Stops every child and runs `cleanup` when the bench ends for any reason.
 * Call once at the start of a bench.
 */
export const stopEverythingOnExit = (cleanup: () => void | Promise<void>) => {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.error(`\n${signal}: stopping everything the bench started…`);
    void stopAll()
      .then(cleanup)
      .finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  // Last resort if the bench exits without awaiting stopAll (e.g. process.exit in a dependency).
  process.once('exit', () => {
    for (const p of running) p.child.kill('SIGKILL');
    for (const a of adopted) a.killNow();
  });
};

/** A free port on 127.0.0.1 outside the ephemeral range (testkit's: outgoing connections can't take it). */
export { freePort } from '@lockbox/testkit';

/** Polls `url` until it answers 200; fails early, with the log tail, if the process dies. */
export const waitForHttp = async (url: string, proc: Proc, timeoutMs = 90_000) => {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (proc.child.exitCode !== null || proc.child.signalCode !== null)
      throw new Error(`${proc.name} exited before it was ready; its output:\n${proc.tail()}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      if (res.ok) return;
      last = `status ${res.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(
    `${proc.name} not ready at ${url} after ${timeoutMs} ms (${last}); its output:\n${proc.tail()}`,
  );
};
