/**
 * A LockBox process (its TypeScript entry through tsx, as stack.ts runs them)
 * started inside a host's network namespace with `ip netns exec`, which execs
 * the command: the child's pid is node's own, so a SIGKILL kills the process
 * as a crashed host would. Output goes to a log file; readiness is polled
 * from the root namespace at the host's address, bounded.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../stack';
import type { NetnsHost } from './network';

export interface HostProcessOptions {
  host: NetnsHost;
  /** Repository-relative entry point (from @lockbox/contracts/deployables). */
  entry: string;
  port: number;
  env: Record<string, string>;
  logDir: string;
  /** Path polled for readiness (`/ready` for services, `/health` for the gateway). */
  readyPath: string;
}

export class HostProcess {
  readonly #opts: HostProcessOptions;
  #child: ChildProcess | undefined;
  readonly url: string;
  readonly logFile: string;

  constructor(opts: HostProcessOptions) {
    this.#opts = opts;
    this.url = `http://${opts.host.address}:${opts.port}`;
    this.logFile = path.join(opts.logDir, `${opts.host.name}.log`);
  }

  get name(): string {
    return this.#opts.host.name;
  }

  get running(): boolean {
    return this.#child !== undefined && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** Starts it and waits until it answers its ready path (bounded). */
  async start(timeoutMs = 90_000): Promise<void> {
    const out = fs.openSync(this.logFile, 'a');
    // Only what an operator would set, over a minimal environment: nothing of the test's own
    // DATABASE_URL / REDIS_URL / *_UPSTREAMS leaks in.
    const env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/root',
      ...this.#opts.env,
      PORT: String(this.#opts.port),
      LOCKBOX_INSTANCE: this.#opts.host.name,
    };
    this.#child = spawn(
      'ip',
      ['netns', 'exec', this.#opts.host.ns, process.execPath, '--import', 'tsx', this.#opts.entry],
      { cwd: REPO_ROOT, env, stdio: ['ignore', out, out] },
    );
    fs.closeSync(out);
    await this.waitReady(timeoutMs);
  }

  /** Polls the ready path until it answers 200. */
  async waitReady(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      const child = this.#child;
      if (child && child.exitCode !== null) throw new Error(`${this.name} exited with ${child.exitCode}`);
      try {
        const res = await fetch(`${this.url}${this.#opts.readyPath}`, { signal: AbortSignal.timeout(2_000) });
        if (res.ok) return;
        last = `status ${res.status}`;
      } catch (err) {
        last = (err as Error).message;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(
      `${this.name} not ready at ${this.url}${this.#opts.readyPath} in ${timeoutMs} ms (${last})`,
    );
  }

  /** Sends `signal` (SIGKILL: a crash) and waits for the exit. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const c = this.#child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
    c.kill(signal);
    await exited;
  }

  /** The end of its log, for a failure message. */
  tail(chars = 2_000): string {
    return fs.existsSync(this.logFile) ? fs.readFileSync(this.logFile, 'utf8').slice(-chars) : '';
  }
}
