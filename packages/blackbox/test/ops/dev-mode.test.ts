/**
 * `npm run dev` end to end: turbo starts every service, the gateway and Vite in
 * watch mode; two users connect and talk through the gateway (so the services
 * share one internal secret); a service file changes and that service restarts
 * and works again; stopping turbo stops every process it started.
 *
 * Isolation: the stack gets its own ports (LOCKBOX_BASE_PORT, LOCKBOX_WEB_DEV_PORT)
 * and data/log folders. The "edit" touches the file's mtime and leaves its bytes
 * alone: other test files importing the same sources run at the same time, and a
 * touched file is all tsx's watcher needs, while a temporary copy of the repo
 * would cost a copy of node_modules' links and a slower, less faithful run.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { DEPLOYABLES, instancePort } from '@lockbox/contracts/deployables';
import {
  client,
  eventually,
  freePort,
  makeContacts,
  noteOf,
  REPO_ROOT,
  readStream,
  registerUser,
  sendMessage,
  type TestUser,
} from '@lockbox/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAlive, killSurvivors, processTree } from './process-tree';

/** Fresh PGlite data directories under tsx, on a shared 2-core machine: minutes at worst. */
const HEALTHY_WITHIN_MS = 240_000;
const RESTART_WITHIN_MS = 90_000;
const STOP_WITHIN_MS = 30_000;
const TOUCHED = path.join(REPO_ROOT, 'packages', 'message-service', 'src', 'main.ts');

const listening = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

const isFree = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });

/** A gateway port whose whole block (every deployable's port, moved by the same offset) is free. */
const freeBasePort = async (): Promise<number> => {
  const defaultBase = instancePort('gateway');
  const offsets = DEPLOYABLES.filter((d) => d.port !== undefined).map(
    (d) => (d.port as number) - defaultBase,
  );
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = await freePort();
    const free = await Promise.all(offsets.map((o) => isFree(base + o)));
    if (free.every(Boolean)) return base;
  }
  throw new Error('no free block of ports for the dev stack');
};

describe('npm run dev (turbo watch mode)', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'lockbox-dev-mode-'));
  const logDir = path.join(work, 'logs');
  const output: string[] = [];
  let turbo: ChildProcess;
  let basePort: number;
  let webPort: number;
  let stopped = false;
  let api: ReturnType<typeof client>;
  let alice: TestUser;
  let bob: TestUser;
  const port = (name: string) => instancePort(name) - instancePort('gateway') + basePort;

  /** Ctrl-C for turbo (it stops its tasks), then SIGKILL for anything of its tree still alive. */
  const stop = async (): Promise<{ tree: number[]; survivors: number[] }> => {
    if (stopped || turbo.pid === undefined) return { tree: [], survivors: [] };
    stopped = true;
    const tree = processTree(turbo.pid);
    try {
      process.kill(-turbo.pid, 'SIGINT');
    } catch {}
    const deadline = Date.now() + STOP_WITHIN_MS;
    while (tree.some(isAlive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    return { tree, survivors: killSurvivors(tree) };
  };

  const messagesStarts = () => {
    try {
      return fs
        .readFileSync(path.join(logDir, 'messages.log'), 'utf8')
        .split('\n')
        .filter((line) => line.includes('"messages listening"')).length;
    } catch {
      return 0;
    }
  };

  beforeAll(async () => {
    basePort = await freeBasePort();
    webPort = await freePort();
    turbo = spawn(path.join(REPO_ROOT, 'node_modules', '.bin', 'turbo'), ['run', 'dev'], {
      cwd: REPO_ROOT,
      // Its own process group: the test's Ctrl-C reaches turbo and nothing else.
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        TURBO_TELEMETRY_DISABLED: '1',
        LOCKBOX_BASE_PORT: String(basePort),
        LOCKBOX_WEB_DEV_PORT: String(webPort),
        LOCKBOX_DATA_DIR: path.join(work, 'data'),
        LOCKBOX_LOG_DIR: logDir,
        LOCKBOX_LOG_STDOUT: '0',
      },
    });
    for (const stream of [turbo.stdout, turbo.stderr])
      stream?.on('data', (chunk: Buffer) => {
        output.push(...chunk.toString().split('\n'));
        output.splice(0, Math.max(0, output.length - 200));
      });
    api = client(`http://127.0.0.1:${basePort}`);
    try {
      await eventually(
        async () => ((await api.get('/health', { timeoutMs: 2_000 })).status === 200 ? true : undefined),
        HEALTHY_WITHIN_MS,
        500,
      );
    } catch (err) {
      throw new Error(`dev stack not healthy: ${(err as Error).message}\n${output.slice(-60).join('\n')}`);
    }
  }, HEALTHY_WITHIN_MS + 30_000);

  afterAll(async () => {
    await stop();
    fs.rmSync(work, { recursive: true, force: true });
  }, STOP_WITHIN_MS + 10_000);

  it('serves the API through the gateway: register, chat request, message', async () => {
    alice = await registerUser(api, 'dev_a');
    bob = await registerUser(api, 'dev_b');
    await makeContacts(api, alice, bob); // message-service asks auth-service: one internal secret
    await sendMessage(api, alice, bob, 'before the edit');
    const stream = await readStream<{ cursor: string; encrypted_blob: string }>(api, bob);
    expect(stream.map(noteOf)).toEqual(['before the edit']);
  });

  it("serves the web app from Vite, which proxies tRPC to the gateway's services", async () => {
    const web = client(`http://127.0.0.1:${webPort}`);
    const page = await eventually(async () => {
      const res = await web.get('/');
      return res.status === 200 ? res : undefined;
    }, 30_000);
    expect(page.text).toContain('<div id="root">');
    const jwks = await web.get<{ result: { data: { keys: unknown[] } } }>('/trpc/auth.jwks');
    expect(jwks.status).toBe(200);
    expect(jwks.json.result.data.keys.length).toBeGreaterThan(0);
  });

  it(
    'restarts a service when one of its files changes, and it works again',
    async () => {
      const before = messagesStarts();
      expect(before).toBe(1);
      const now = new Date();
      fs.utimesSync(TOUCHED, now, now);
      await eventually(async () => (messagesStarts() > before ? true : undefined), RESTART_WITHIN_MS, 200);
      // The gateway may still hold the old instance's connection for a moment: retry the first send.
      await eventually(() => sendMessage(api, alice, bob, 'after the edit'), 30_000, 500);
      const stream = await readStream<{ cursor: string; encrypted_blob: string }>(api, bob);
      expect(stream.map(noteOf)).toEqual(['before the edit', 'after the edit']);
    },
    RESTART_WITHIN_MS + 40_000,
  );

  it(
    'stops every process it started on Ctrl-C',
    async () => {
      const { tree, survivors } = await stop();
      expect(tree.length).toBeGreaterThan(5); // turbo, and for each task its runner, tsx/vite and the node child
      expect(survivors).toEqual([]);
      const open = await Promise.all(
        ['gateway', 'auth', 'messages', 'realtime'].map(async (name) =>
          (await listening(port(name))) ? name : '',
        ),
      );
      expect(open.filter(Boolean)).toEqual([]);
      expect(await listening(webPort)).toBe(false);
    },
    STOP_WITHIN_MS + 10_000,
  );
});
