/**
 * The soak from start to verdict: the stack, the pairs and their sockets, the
 * open-loop sends with the faults alongside, the drain, the server's record,
 * the report; exit code 1 (and the logs kept) when anything was amiss.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { closeHttp } from '../lib/http-call';
import { NO_USER_RATE_LIMITS } from '../lib/lockbox-stack';
import { fmt, writeResults } from '../lib/markdown';
import { encodeNote, messageBody, nowMs, paceOpenLoop, registerPairs, sleep } from '../lib/message-load';
import { BENCH_ENV } from '../lib/node-servers';
import { loadAverage, machineBusyS } from '../lib/proc-stats';
import { stopAll } from '../lib/processes';
import { closeRecipientSockets } from '../lib/recipient-socket';
import { runBench } from '../lib/run-bench';
import { stackRssMb, startBenchStack } from '../lib/stack';
import { openRecipients, sendUntilCommitted } from './clients';
import { runFaults } from './faults';
import { isClean, soakFigures } from './figures';
import type { SoakOptions } from './options';
import { soakPhases, soakTimeline } from './phases';
import { SoakRecord } from './record';
import { soakReport } from './report';
import { checkServerRecord, serverRecordOk } from './server-record';

export const runSoak = (opts: SoakOptions) =>
  runBench('soak', { keep: opts.keep }, async (_workDir, progress) => {
    const startedAt = new Date();
    const loadBefore = loadAverage();
    progress(
      `${opts.pairs} pairs, ${opts.rate} msgs/s for ${opts.durationS} s; load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')}`,
    );
    process.env.REDIS_URL = opts.redisUrl;
    progress('starting gateway, auth, messages, realtime ×2 (Redis fan-out) on a fresh Postgres database…');
    const stack = await startBenchStack({
      engine: 'postgres',
      postgresAdminUrl: opts.adminDbUrl,
      services: ['auth', 'messages', 'realtime'],
      instances: { realtime: 2 },
      env: { ...BENCH_ENV, ...NO_USER_RATE_LIMITS },
      gatewayEnv: { RL_GATEWAY_PER_IP: '0' },
    });
    const stackDir = path.dirname(stack.logDir);
    progress(`stack up; its logs: ${stack.logDir}`);
    const gw = Number(new URL(stack.gatewayUrl).port);

    try {
      progress(`registering ${opts.pairs} pairs and making them contacts…`);
      const pairs = await registerPairs(gw, opts.pairs);
      const total = Math.round(opts.rate * opts.durationS);
      const rec = new SoakRecord(total);

      progress('opening the recipients’ sockets through the gateway…');
      const { streams, sockets } = await openRecipients(rec, pairs, gw);

      const rssBefore = stackRssMb(stack);
      const benchRssBefore = process.memoryUsage().rss / 2 ** 20;
      const busyBefore = machineBusyS();
      const signature = randomBytes(64).toString('base64');
      const t0 = nowMs() + 50;
      const faults = runFaults(stack, rec, t0, opts.durationS, opts.downS, progress);

      progress(`sending ${total} messages at ${opts.rate}/s…`);
      const sends: Promise<void>[] = [];
      await paceOpenLoop(opts.rate, total, t0, (index, intended) => {
        const pair = pairs[index % opts.pairs] as (typeof pairs)[number];
        const blob = encodeNote(0, index, intended, opts.blobBytes);
        const body = messageBody(pair.recipient.id, rec.ids[index] as string, blob, signature);
        rec.intended[index] = intended;
        sends.push(sendUntilCommitted(rec, opts.maxAttempts, index, gw, body, pair.sender.token));
      });
      const sendsDueEnd = nowMs();
      await faults;
      await Promise.all(sends);
      progress(
        `sends settled ${fmt((nowMs() - sendsDueEnd) / 1000, 1)} s after the last was due; draining deliveries…`,
      );
      for (;;) {
        if (rec.undelivered().length === 0 && sockets.every((s) => s.open)) break;
        if (nowMs() - Math.max(rec.lastDeliveryAt, sendsDueEnd) > opts.drainS * 1000) break;
        await sleep(50);
      }
      const drainedAt = nowMs();
      const busyCores = (machineBusyS() - busyBefore) / ((drainedAt - t0) / 1000);
      const rssAfter = stackRssMb(stack);
      const benchRssAfter = process.memoryUsage().rss / 2 ** 20;
      closeRecipientSockets();

      progress('reading every recipient’s stream back (GET /messages)…');
      const server = await checkServerRecord(stack.gatewayUrl, pairs, rec);
      const figures = soakFigures(rec, streams);
      const clean = isClean(rec, figures, serverRecordOk(server));
      const md = soakReport(opts, rec, figures, {
        startedAt,
        loadBefore,
        loadAfter: loadAverage(),
        total,
        busyCores,
        sendsDueEnd,
        drainedAt,
        server,
        phases: soakPhases(rec, figures, t0),
        statuses: [...new Set(rec.answers.map((a) => a.status))].sort((a, b) => a - b),
        timeline: soakTimeline(rec, figures, t0, opts.durationS),
        clean,
        names: stack.processes.map((p) => p.name),
        rssBefore,
        rssAfter,
        benchRssBefore,
        benchRssAfter,
      });
      process.stdout.write(`${md}\n`);
      progress(`report written to ${writeResults('soak', md)}`);
      if (!clean) {
        process.exitCode = 1;
        progress(
          `FAILED: the soak found loss, duplication, disorder or a record mismatch; logs kept in ${stack.logDir}`,
        );
      } else {
        await stopAll();
        if (!opts.keep) fs.rmSync(stackDir, { recursive: true, force: true });
      }
    } finally {
      closeRecipientSockets();
      closeHttp();
    }
  });
