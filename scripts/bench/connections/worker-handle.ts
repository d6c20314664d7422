/** The parent's side of a client worker: spawn it, send it commands, wait for its events. */
import { spawn } from 'node:child_process';
import readline from 'node:readline';
import { REPO_ROOT } from '../lib/node-servers';
import type { Proc } from '../lib/processes';

export interface Worker {
  send(msg: unknown): void;
  next(event: string, timeoutMs: number): Promise<Record<string, unknown>>;
  on(event: string, fn: (msg: Record<string, unknown>) => void): void;
  proc: Proc;
}

/** The bench's own entry, which turns into a worker with `--worker`. */
const ENTRY = new URL('../connections.ts', import.meta.url).pathname;

let workerCount = 0;

export const startWorker = (): Worker => {
  const name = `clients-${++workerCount}`;
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, '--worker'], {
    cwd: REPO_ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const listeners = new Map<string, ((m: Record<string, unknown>) => void)[]>();
  readline.createInterface({ input: child.stdout }).on('line', (line) => {
    const msg = JSON.parse(line) as Record<string, unknown>;
    for (const fn of listeners.get(String(msg.event)) ?? []) fn(msg);
  });
  const proc: Proc = {
    name,
    pid: child.pid as number,
    child,
    logFile: '',
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGKILL');
    },
    tail: () => '',
  };
  return {
    proc,
    send: (msg) => child.stdin.write(`${JSON.stringify(msg)}\n`),
    on: (event, fn) => listeners.set(event, [...(listeners.get(event) ?? []), fn]),
    next: (event, timeoutMs) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`${name}: no ${event} within ${timeoutMs} ms`)),
          timeoutMs,
        );
        const fn = (m: Record<string, unknown>) => {
          const list = listeners.get(event) ?? [];
          listeners.set(
            event,
            list.filter((f) => f !== fn),
          );
          clearTimeout(timer);
          resolve(m);
        };
        listeners.set(event, [...(listeners.get(event) ?? []), fn]);
      }),
  };
};
