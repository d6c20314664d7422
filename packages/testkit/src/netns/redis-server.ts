/**
 * Debian's redis-server as a host of its own: started in a namespace with
 * `ip netns exec` (which execs it, so the pid is redis's), on the host's
 * address, with no persistence (LockBox keeps nothing in Redis that must
 * survive a restart).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import type { NetnsHost } from './network';

export const redisServerUnavailable = (): string | undefined =>
  spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0
    ? undefined
    : 'no redis-server (Debian package redis-server)';

export class NetnsRedis {
  readonly #host: NetnsHost;
  readonly port: number;
  #child: ChildProcess | undefined;

  constructor(host: NetnsHost, port = 6379) {
    this.#host = host;
    this.port = port;
  }

  async start(timeoutMs = 15_000): Promise<void> {
    // protected-mode off: without a password Redis answers only loopback clients, and every
    // client here is on another host; the test network has no route off the machine.
    const argv = ['--bind', this.#host.address, '--port', String(this.port), '--protected-mode', 'no'];
    argv.push('--save', '', '--appendonly', 'no');
    this.#child = spawn('ip', ['netns', 'exec', this.#host.ns, 'redis-server', ...argv], { stdio: 'ignore' });
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const ping = spawnSync('redis-cli', ['-h', this.#host.address, '-p', String(this.port), 'ping'], {
        encoding: 'utf8',
        timeout: 2_000,
      });
      if (ping.stdout?.trim() === 'PONG') return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`redis on ${this.#host.name} not answering after ${timeoutMs} ms`);
  }

  async stop(): Promise<void> {
    const c = this.#child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
    c.kill('SIGKILL');
    await exited;
  }
}
