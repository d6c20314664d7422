/**
 * Connections bench (BENCH.md): open N authenticated sockets through the
 * gateway, from several 127.0.0.x source addresses (one address has only
 * ~28k ports), and report the memory each costs the gateway and the realtime
 * service together (RSS after − RSS before, per socket); then check delivery
 * among them: one broadcast notice (realtime's internal procedure) and the
 * time until every socket has it. A second phase opens sockets straight to a
 * fresh realtime instance, for realtime's own cost at a larger count.
 *
 * Bounded: each process may hold only as many sockets as its open-file limit
 * allows (the gateway holds two descriptors per proxied socket), opening
 * stops at --time-limit, and when the machine's free memory runs low.
 *
 * The clients are minimal WebSocket clients on raw TCP (they answer pings,
 * count frames, and keep no per-frame state) in worker processes — this file
 * run with --worker — so the load generator's own memory stays out of the way.
 *
 *   node --import tsx scripts/bench/connections.ts [--sockets 50000] [--per-user 30] [--addresses 8]
 *        [--concurrency 200] [--time-limit 600] [--no-direct] [--keep]
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    worker: { type: 'boolean', default: false },
    sockets: { type: 'string', default: '50000' },
    'per-user': { type: 'string', default: '30' },
    addresses: { type: 'string', default: '8' },
    concurrency: { type: 'string', default: '200' },
    'time-limit': { type: 'string', default: '600' },
    'no-direct': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

// ---- the raw client (used by the workers) --------------------------------------------------

/** A masked client frame (pong, close): clients must mask what they send. */
const maskedFrame = (opcode: number, payload: Buffer) => {
  const mask = randomBytes(4);
  const out = Buffer.alloc(6 + payload.length);
  out[0] = 0x80 | opcode;
  out[1] = 0x80 | payload.length;
  mask.copy(out, 2);
  for (let i = 0; i < payload.length; i++) out[6 + i] = (payload[i] as number) ^ (mask[i % 4] as number);
  return out;
};

interface RawSocketTarget {
  host: string;
  port: number;
  path: string;
  localAddress: string;
}

/** Opens a WebSocket on raw TCP; resolves once `101` arrived; answers pings; hands text frames to `onText`. */
const openRawSocket = (t: RawSocketTarget, onText: (payload: Buffer) => void): Promise<net.Socket> =>
  new Promise((resolve, reject) => {
    const sock = net.connect({ host: t.host, port: t.port, localAddress: t.localAddress });
    let buf: Buffer | undefined;
    let upgraded = false;
    sock.setNoDelay(true);
    sock.once('connect', () =>
      sock.write(
        `GET ${t.path} HTTP/1.1\r\nHost: ${t.host}:${t.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      ),
    );
    sock.on('error', (err) => {
      if (!upgraded) reject(err);
    });
    sock.on('data', (chunk: Buffer) => {
      buf = buf ? Buffer.concat([buf, chunk]) : chunk;
      if (!upgraded) {
        const end = buf.indexOf('\r\n\r\n');
        if (end === -1) return;
        const status = buf.subarray(0, buf.indexOf('\r\n')).toString('latin1');
        if (!status.startsWith('HTTP/1.1 101')) {
          sock.destroy();
          reject(new Error(status));
          return;
        }
        upgraded = true;
        buf = buf.subarray(end + 4);
        resolve(sock);
      }
      while (buf && buf.length >= 2) {
        const b0 = buf[0] as number;
        let len = (buf[1] as number) & 0x7f;
        let off = 2;
        if (len === 126) {
          if (buf.length < 4) break;
          len = buf.readUInt16BE(2);
          off = 4;
        } else if (len === 127) {
          if (buf.length < 10) break;
          len = Number(buf.readBigUInt64BE(2));
          off = 10;
        }
        if (buf.length < off + len) break;
        const opcode = b0 & 0x0f;
        const payload = buf.subarray(off, off + len);
        if (opcode === 0x9) sock.write(maskedFrame(0xa, payload));
        else if (opcode === 0x1) onText(payload);
        else if (opcode === 0x8) sock.end();
        buf = buf.subarray(off + len);
      }
      if (buf && buf.length === 0) buf = undefined;
    });
  });

// ---- worker mode: holds sockets, answers the parent on stdout (one JSON line per event) -------

interface OpenCommand {
  cmd: 'open';
  host: string;
  port: number;
  /** One entry per socket: the path with its token. */
  paths: string[];
  addresses: string[];
  concurrency: number;
  deadlineMs: number;
}

const runWorker = () => {
  const sockets: net.Socket[] = [];
  let marker: Buffer | undefined;
  let markerSeen = 0;
  const say = (msg: unknown) => process.stdout.write(`${JSON.stringify(msg)}\n`);
  const onText = (payload: Buffer) => {
    if (marker && payload.includes(marker)) {
      markerSeen++;
      if (markerSeen % 1000 === 0 || markerSeen === sockets.length)
        say({ event: 'marker', seen: markerSeen, at: Date.now() });
    }
  };
  const open = async (c: OpenCommand) => {
    let next = 0;
    let failed = 0;
    let firstError = '';
    const lane = async () => {
      while (next < c.paths.length && Date.now() < c.deadlineMs) {
        const i = next++;
        try {
          const s = await openRawSocket(
            {
              host: c.host,
              port: c.port,
              path: c.paths[i] as string,
              localAddress: c.addresses[i % c.addresses.length] as string,
            },
            onText,
          );
          s.on('close', () => {
            const at = sockets.indexOf(s);
            if (at !== -1) sockets.splice(at, 1);
          });
          sockets.push(s);
          if (sockets.length % 1000 === 0) say({ event: 'progress', open: sockets.length, failed });
        } catch (err) {
          failed++;
          firstError ||= (err as Error).message;
        }
      }
    };
    await Promise.all(Array.from({ length: c.concurrency }, lane));
    say({
      event: 'opened',
      open: sockets.length,
      failed,
      firstError,
      rssKb: process.memoryUsage().rss / 1024,
    });
  };
  readline.createInterface({ input: process.stdin }).on('line', (line) => {
    const c = JSON.parse(line) as
      | OpenCommand
      | { cmd: 'expect'; marker: string }
      | { cmd: 'count' }
      | { cmd: 'close' };
    if (c.cmd === 'open') void open(c);
    else if (c.cmd === 'expect') {
      marker = Buffer.from(c.marker);
      markerSeen = 0;
    } else if (c.cmd === 'count') say({ event: 'count', open: sockets.length, seen: markerSeen });
    else if (c.cmd === 'close') {
      for (const s of sockets) s.destroy();
      say({ event: 'closed' });
      process.exit(0);
    }
  });
};

if (args.worker) {
  runWorker();
} else {
  await runParent();
}

// ---- parent: the services, the users, the phases, the report ---------------------------------

async function runParent() {
  const { deriveCredentials, INTERNAL_HEADER } = await import('../../packages/service-kit/src/index');
  const { fmt, table, verdict, writeResults } = await import('./lib/markdown');
  const { BENCH_ENV, REPO_ROOT } = await import('./lib/node-servers');
  const { freePort, spawnProc, waitForHttp } = await import('./lib/processes');
  const { loadAverage, treeUsage } = await import('./lib/proc-stats');
  const { runBench } = await import('./lib/run-bench');
  const { nodeVersion } = await import('./lib/tools');
  type Proc = import('./lib/processes').Proc;

  if (args.help) {
    process.stdout.write(`Connections bench: authenticated sockets through the gateway, RSS per socket.

  node --import tsx scripts/bench/connections.ts [options]

  --sockets N        sockets to aim for (default 50000; capped by each process's open-file limit)
  --per-user N       sockets per user (default 30; realtime allows 32 per user)
  --addresses N      client source addresses 127.0.0.2 … (default 8)
  --concurrency N    handshakes in flight per worker (default 200)
  --time-limit S     stop opening after S seconds per phase (default 600)
  --no-direct        skip phase 2 (sockets straight to a fresh realtime instance)
  --keep             keep the temp dir with logs
`);
    return;
  }

  const WANTED = Number(args.sockets);
  const PER_USER = Number(args['per-user']);
  const ADDRESSES = Array.from({ length: Number(args.addresses) }, (_, i) => `127.0.0.${i + 2}`);
  const CONCURRENCY = Number(args.concurrency);
  const TIME_LIMIT_MS = Number(args['time-limit']) * 1000;
  const GOAL_SOCKETS = 50_000;
  const GOAL_KB = 16;

  /** The soft open-file limit; children inherit it, and in this container it cannot be raised. */
  const fdLimit = (): number => {
    const line = fs
      .readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    return Number(line?.trim().split(/\s+/)[3] ?? 1024);
  };
  const availableMemMb = () =>
    Number(/MemAvailable:\s+(\d+)/.exec(fs.readFileSync('/proc/meminfo', 'utf8'))?.[1] ?? 0) / 1024;
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  await runBench('connections', { keep: args.keep === true }, async (workDir, progress) => {
    const startedAt = new Date();
    const loadBefore = loadAverage();
    const limit = fdLimit();
    const spare = 300;
    const viaGatewayMax = Math.floor((limit - spare) / 2);
    const perProcessMax = limit - spare;
    progress(
      `open-file limit ${limit} per process: ≤ ${viaGatewayMax} sockets through one gateway, ≤ ${perProcessMax} per realtime`,
    );

    const secret = randomBytes(32).toString('base64url');
    const credentials = deriveCredentials(secret);
    const [authPort, messagesPort, realtimePort, realtime2Port, gatewayPort] = (await Promise.all(
      Array.from({ length: 5 }, () => freePort()),
    )) as [number, number, number, number, number];
    const url = (port: number) => `http://127.0.0.1:${port}`;
    const common: Record<string, string> = {
      ...BENCH_ENV,
      LOCKBOX_INTERNAL_SECRET: secret,
      LOCKBOX_DATA_DIR: path.join(workDir, 'data'),
      LOCKBOX_LOG_DIR: path.join(workDir, 'logs'),
      AUTH_URLS: url(authPort),
      MESSAGES_URLS: url(messagesPort),
      REALTIME_URLS: url(realtimePort),
      RL_REGISTER_PER_IP: '1000000',
    };
    const start = async (name: string, entry: string, port: number, env: Record<string, string> = {}) => {
      const proc = spawnProc(name, process.execPath, ['--import', 'tsx', entry], {
        cwd: REPO_ROOT,
        logFile: path.join(workDir, `${name}.out.log`),
        env: { ...common, ...env, PORT: String(port), HOST: '127.0.0.1' },
      });
      await waitForHttp(`${url(port)}${name === 'gateway' ? '/health' : '/ready'}`, proc, 180_000);
      return proc;
    };
    progress('starting auth, messages, realtime and the gateway…');
    const [auth, messages, realtime] = await Promise.all([
      start('auth', 'packages/auth-service/src/main.ts', authPort),
      start('messages', 'packages/message-service/src/main.ts', messagesPort),
      start('realtime', 'packages/realtime-service/src/main.ts', realtimePort),
    ]);
    const gateway = await start('gateway', 'gateway/src/main.ts', gatewayPort, {
      AUTH_UPSTREAMS: url(authPort),
      MESSAGES_UPSTREAMS: url(messagesPort),
      REALTIME_UPSTREAMS: url(realtimePort),
      RL_GATEWAY_PER_IP: '0',
    });

    const post = (port: number, p: string, body: unknown, headers: Record<string, string> = {}) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const payload = JSON.stringify(body);
        const req = http.request(
          {
            host: '127.0.0.1',
            port,
            path: p,
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(payload),
              ...headers,
            },
          },
          (res) => {
            let text = '';
            res.on('data', (c: Buffer) => {
              text += c.toString();
            });
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
          },
        );
        req.on('error', reject);
        req.end(payload);
      });

    const tokens: string[] = [];
    const registerUsers = async (count: number) => {
      progress(`registering ${count} users (argon2id per registration: this takes a while)…`);
      let next = tokens.length;
      const goal = tokens.length + count;
      await Promise.all(
        Array.from({ length: 4 }, async () => {
          while (next < goal) {
            next++;
            const username = `c_${randomBytes(6).toString('hex')}`;
            const res = await post(gatewayPort, '/auth/register', {
              username,
              password: `pw-${username}-bench`,
            });
            if (res.status !== 201) throw new Error(`register: ${res.status} ${res.body.slice(0, 200)}`);
            tokens.push(JSON.parse(res.body).access_token as string);
            if (tokens.length % 100 === 0) progress(`  ${tokens.length} users`);
          }
        }),
      );
    };

    interface Worker {
      send(msg: unknown): void;
      next(event: string, timeoutMs: number): Promise<Record<string, unknown>>;
      on(event: string, fn: (msg: Record<string, unknown>) => void): void;
      proc: Proc;
    }
    let workerCount = 0;
    const startWorker = (): Worker => {
      const name = `clients-${++workerCount}`;
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', new URL(import.meta.url).pathname, '--worker'],
        {
          cwd: REPO_ROOT,
          stdio: ['pipe', 'pipe', 'inherit'],
        },
      );
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

    interface PhaseResult {
      phase: string;
      wanted: number;
      opened: number;
      failed: number;
      firstError: string;
      openSeconds: number;
      rssBeforeMb: Record<string, number>;
      rssAfterMb: Record<string, number>;
      kbPerSocket: Record<string, number>;
      clientRssMb: number;
      broadcastMs: number | undefined;
      broadcastReached: number;
      reportedByRealtime: number;
      stoppedBy: string;
    }

    const rssMb = (procs: Proc[]) =>
      Object.fromEntries(procs.map((p) => [p.name, treeUsage(p.pid).rssKb / 1024]));

    const connectionsOf = async (rtPort: number) =>
      new Promise<number>((resolve) => {
        http
          .get(
            {
              host: '127.0.0.1',
              port: rtPort,
              path: '/trpc/internal.connections',
              headers: { [INTERNAL_HEADER]: credentials.internalToken },
            },
            (res) => {
              let text = '';
              res.on('data', (c: Buffer) => {
                text += c.toString();
              });
              res.on('end', () => resolve(JSON.parse(text).result?.data?.sockets ?? -1));
            },
          )
          .on('error', () => resolve(-1));
      });

    const runPhase = async (
      phase: string,
      target: { port: number; rtPort: number },
      wanted: number,
      measured: Proc[],
    ): Promise<PhaseResult> => {
      const usersNeeded = Math.ceil(wanted / PER_USER);
      if (tokens.length < usersNeeded) await registerUsers(usersNeeded - tokens.length);
      const paths = Array.from(
        { length: wanted },
        (_, i) => `/ws?token=${tokens[Math.floor(i / PER_USER)] as string}`,
      );
      await sleep(3_000);
      const rssBeforeMb = rssMb(measured);
      const workers = Array.from({ length: Math.ceil(wanted / perProcessMax) }, startWorker);
      const share = Math.ceil(wanted / workers.length);
      const deadlineMs = Date.now() + TIME_LIMIT_MS;
      progress(`${phase}: opening ${wanted} sockets with ${workers.length} client process(es)…`);
      const started = Date.now();
      let stoppedBy = 'done';
      let lowMemory = false;
      const memoryWatch = setInterval(() => {
        if (availableMemMb() < 1_500 && !lowMemory) {
          lowMemory = true;
          stoppedBy = 'low memory';
          progress('free memory below 1.5 GiB: stopping the clients where they are');
          for (const w of workers) w.proc.child.kill('SIGKILL');
        }
      }, 1_000);
      let lastLog = 0;
      for (const w of workers)
        w.on('progress', () => {
          if (Date.now() - lastLog > 5_000) {
            lastLog = Date.now();
            void connectionsOf(target.rtPort).then((n) => progress(`  ${n} sockets open at realtime`));
          }
        });
      const outcomes = await Promise.all(
        workers.map((w, i) => {
          const done = w.next('opened', TIME_LIMIT_MS + 120_000);
          w.send({
            cmd: 'open',
            host: '127.0.0.1',
            port: target.port,
            paths: paths.slice(i * share, (i + 1) * share),
            addresses: ADDRESSES,
            concurrency: CONCURRENCY,
            deadlineMs,
          } satisfies OpenCommand);
          return done.catch(() => ({ open: 0, failed: 0, firstError: 'worker gone', rssKb: 0 }));
        }),
      );
      clearInterval(memoryWatch);
      const openSeconds = (Date.now() - started) / 1000;
      if (Date.now() >= deadlineMs && stoppedBy === 'done') stoppedBy = 'time limit';
      const opened = outcomes.reduce((a, o) => a + Number(o.open ?? 0), 0);
      const failed = outcomes.reduce((a, o) => a + Number(o.failed ?? 0), 0);
      const firstError = String(outcomes.find((o) => o.firstError)?.firstError ?? '');
      progress(
        `  ${opened} open, ${failed} failed (${firstError || 'no errors'}) in ${fmt(openSeconds)} s; settling…`,
      );
      await sleep(5_000);
      const rssAfterMb = rssMb(measured);
      const reportedByRealtime = await connectionsOf(target.rtPort);
      const kbPerSocket: Record<string, number> = {};
      for (const p of measured)
        kbPerSocket[p.name] =
          (((rssAfterMb[p.name] ?? 0) - (rssBeforeMb[p.name] ?? 0)) * 1024) / Math.max(1, opened);
      kbPerSocket.total = Object.values(kbPerSocket).reduce((a, b) => a + b, 0);

      // Delivery among them: one broadcast, and how long until every socket has it.
      const marker = `bench-${randomBytes(6).toString('hex')}`;
      for (const w of workers) w.send({ cmd: 'expect', marker });
      const seen = new Map<Worker, number>();
      let lastAt = 0;
      for (const w of workers)
        w.on('marker', (m) => {
          seen.set(w, Number(m.seen));
          lastAt = Math.max(lastAt, Number(m.at));
        });
      await sleep(200);
      const sentAt = Date.now();
      const b = await post(
        target.rtPort,
        '/trpc/internal.broadcast',
        { event: { type: 'notice', data: { message: marker } } },
        {
          [INTERNAL_HEADER]: credentials.internalToken,
        },
      );
      if (b.status !== 200) progress(`  broadcast answered ${b.status} ${b.body.slice(0, 200)}`);
      const reachedAll = () => [...seen.values()].reduce((a, n) => a + n, 0) >= opened;
      const until = Date.now() + 60_000;
      while (!reachedAll() && Date.now() < until) await sleep(50);
      for (const w of workers) w.send({ cmd: 'count' });
      const counts = await Promise.all(
        workers.map((w) => w.next('count', 10_000).catch(() => ({ seen: 0 }))),
      );
      const broadcastReached = counts.reduce((a, c) => a + Number(c.seen ?? 0), 0);
      const clientRssMb = workers.reduce((a, w) => a + treeUsage(w.proc.pid).rssKb / 1024, 0);
      progress(
        `  broadcast reached ${broadcastReached}/${opened} in ${reachedAll() ? fmt(lastAt - sentAt) : '>60000'} ms; ` +
          `KB per socket: ${Object.entries(kbPerSocket)
            .map(([k, v]) => `${k} ${fmt(v)}`)
            .join(', ')}`,
      );
      for (const w of workers) w.send({ cmd: 'close' });
      await sleep(2_000);
      for (const w of workers) await w.proc.stop();
      return {
        phase,
        wanted,
        opened,
        failed,
        firstError,
        openSeconds,
        rssBeforeMb,
        rssAfterMb,
        kbPerSocket,
        clientRssMb,
        broadcastMs: reachedAll() ? lastAt - sentAt : undefined,
        broadcastReached,
        reportedByRealtime,
        stoppedBy,
      };
    };

    const results: PhaseResult[] = [];
    results.push(
      await runPhase(
        'through the gateway',
        { port: gatewayPort, rtPort: realtimePort },
        Math.min(WANTED, viaGatewayMax),
        [gateway, realtime],
      ),
    );
    if (!args['no-direct']) {
      // A fresh realtime process, so phase 1's heap does not hide phase 2's cost.
      await realtime.stop();
      const realtime2 = await start('realtime-2', 'packages/realtime-service/src/main.ts', realtime2Port);
      results.push(
        await runPhase(
          'straight to realtime',
          { port: realtime2Port, rtPort: realtime2Port },
          Math.min(WANTED, perProcessMax),
          [realtime2],
        ),
      );
    }
    void auth;
    void messages;

    const first = results[0] as PhaseResult;
    const md = [
      '# Connections bench',
      '',
      `${startedAt.toISOString()} · ${os.cpus().length} cores · ${fmt(os.totalmem() / 2 ** 30, 1)} GiB · Node ${nodeVersion()} · open-file limit ${limit} per process · ${PER_USER} sockets per user · client addresses ${ADDRESSES[0]}–${ADDRESSES.at(-1)} · load average before ${loadBefore.map((l) => l.toFixed(2)).join(' ')}`,
      '',
      `Goal: ${GOAL_SOCKETS.toLocaleString('en-US')} sockets at ≤ ${GOAL_KB} KB RSS per socket (gateway + realtime together). Each socket is authenticated (a real access token, checked at the upgrade) and registered for delivery; presence runs for every user.`,
      '',
      table(
        [
          'phase',
          'wanted',
          'opened',
          'failed',
          'open time s',
          'stopped by',
          'realtime reports',
          'KB/socket (measured processes)',
          'KB/socket total',
          'broadcast to all',
          'client RSS MiB',
        ],
        results.map((r) => [
          r.phase,
          r.wanted,
          r.opened,
          r.failed,
          fmt(r.openSeconds),
          r.stoppedBy,
          r.reportedByRealtime,
          Object.entries(r.kbPerSocket)
            .filter(([k]) => k !== 'total')
            .map(([k, v]) => `${k} ${fmt(v)}`)
            .join(', '),
          fmt(r.kbPerSocket.total ?? Number.NaN),
          r.broadcastMs === undefined
            ? `${r.broadcastReached}/${r.opened} in 60 s`
            : `${fmt(r.broadcastMs)} ms`,
          fmt(r.clientRssMb, 0),
        ]),
      ),
      '',
      table(
        ['phase', 'process', 'RSS before MiB', 'RSS after MiB'],
        results.flatMap((r) =>
          Object.keys(r.rssAfterMb).map((name) => [
            r.phase,
            name,
            fmt(r.rssBeforeMb[name] ?? 0, 0),
            fmt(r.rssAfterMb[name] ?? 0, 0),
          ]),
        ),
      ),
      '',
      `Through the gateway: ${first.opened.toLocaleString('en-US')} sockets at ${fmt(first.kbPerSocket.total ?? Number.NaN)} KB each (gateway + realtime) — ${verdict((first.kbPerSocket.total ?? Infinity) <= GOAL_KB)} on memory; ${verdict(first.opened >= GOAL_SOCKETS)} on count.`,
      '',
      `Why the count stops where it does: this container caps open files at ${limit} per process (hard limit; not raisable without CAP_SYS_RESOURCE), and the gateway holds two descriptors per proxied socket (client and upstream), so one gateway process can hold about ${viaGatewayMax.toLocaleString('en-US')} and one realtime process about ${perProcessMax.toLocaleString('en-US')}. ${GOAL_SOCKETS.toLocaleString('en-US')} sockets need a higher limit (e.g. \`LimitNOFILE=262144\` in a systemd unit, or \`ulimit -n\` as root outside a container) or several gateway/realtime instances.`,
    ].join('\n');
    process.stdout.write(`${md}\n`);
    progress(`report written to ${writeResults('connections', md)}`);
  });
}
