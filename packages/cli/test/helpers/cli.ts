/** Runs the real `lockbox` binary as a child process, one LOCKBOX_HOME per user. */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eventually } from '@lockbox/testkit';

export const BIN = path.resolve(
  path.dirname(new URL(import.meta.url).pathname),
  '..',
  '..',
  'bin',
  'lockbox.mjs',
);

export interface CliUser {
  home: string;
  password: string;
  env: NodeJS.ProcessEnv;
}

export const cliUser = (url: string, password: string, extraEnv: NodeJS.ProcessEnv = {}): CliUser => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'lockbox-home-'));
  return {
    home,
    password,
    env: { ...process.env, LOCKBOX_URL: url, LOCKBOX_HOME: home, LOCKBOX_PASSWORD: password, ...extraEnv },
  };
};

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export const lockbox = (user: CliUser, ...args: string[]): Promise<CliResult> =>
  new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: user.env, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? ((err as { code?: number }).code ?? 1) : 0;
      resolve({ code: typeof code === 'number' ? code : 1, stdout, stderr });
    });
  });

/** Like `lockbox`, but fails the test with the CLI's own words when the command fails. */
export const ok = async (user: CliUser, ...args: string[]): Promise<string> => {
  const r = await lockbox(user, ...args);
  if (r.code !== 0) throw new Error(`lockbox ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
};

export const json = async <T = unknown>(user: CliUser, ...args: string[]): Promise<T> =>
  JSON.parse(await ok(user, '--json', ...args)) as T;

/** A long-running `lockbox --json listen`: collects its NDJSON lines. */
export const listen = (user: CliUser, ...extra: string[]) => {
  const child: ChildProcess = spawn(process.execPath, [BIN, '--json', 'listen', ...extra], {
    env: user.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  let stderr = '';
  let buffer = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    let nl = buffer.indexOf('\n');
    while (nl >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (line.trim()) lines.push(JSON.parse(line));
      nl = buffer.indexOf('\n');
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  return {
    lines,
    stderr: () => stderr,
    states: () => lines.filter((l) => l.type === 'state').map((l) => l.state as string),
    texts: () => lines.filter((l) => l.type === 'message').map((l) => l.text as string),
    stop: () =>
      new Promise<number | null>((resolve) => {
        if (child.exitCode !== null) return resolve(child.exitCode);
        child.once('exit', (code) => resolve(code));
        child.kill('SIGTERM');
      }),
  };
};

/** Polls an assertion until it passes (or fails with its last message after `timeoutMs`). */
export const until = (assertion: () => void, timeoutMs = 60_000) =>
  eventually(async () => {
    assertion();
    return true;
  }, timeoutMs);
