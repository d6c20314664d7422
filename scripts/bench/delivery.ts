/**
 * Delivery bench (BENCH.md): N sender/recipient pairs; senders
 * `POST /messages/send` through the gateway at a fixed rate (open loop: a send
 * is due at its time whether or not earlier ones have answered), recipients
 * hold a WebSocket on `/ws` through the gateway; the intended send time rides
 * inside the payload, so send→deliver latency includes any queueing. Against
 * the one-file baseline (`delivery-baseline.ts`: HTTP in, one INSERT, one `ws`
 * push) on the same database, in the same run, the targets taking turns step
 * by step.
 *
 * Reports, per target and rate: committed, delivered per second, p50/p99/max
 * send→deliver, lost (= committed − delivered unique, after a drain), duplicates,
 * ordering violations (LockBox: a recipient's cursors must be 1, 2, 3, …), and
 * each process's CPU. "Sustained" = the highest rate a target kept up with:
 * every send committed, every commit delivered once, delivered ≥ 97% of the
 * offered rate during the step, p99 ≤ 500 ms. Each target's sustained rate is
 * found by bisection after a warm-up, the deciding steps repeated (rate-search.ts);
 * beside each step, what the rest of the machine did (/proc/stat, load average).
 *
 *   npm run bench:delivery -- [--pairs 50] [--start 1000] [--resolution 250] [--repeats 3]
 *        [--duration 10] [--envelope v1|v2] [--engine postgres|pglite] [--database-url postgres://…] [--keep]
 *
 * The parts live in delivery/: options, targets (start + sockets), one step, the search and its
 * run, the report.
 */
import { createTempDatabase, type TempDatabase } from '@lockbox/testkit';
import { parseDeliveryOptions } from './delivery/options';
import { profilesSection } from './delivery/profiles';
import { deliveryReport } from './delivery/report';
import { expectedSeconds, runSearch } from './delivery/search-run';
import { startTargets } from './delivery/targets';
import { closeHttp } from './lib/http-call';
import { writeResults } from './lib/markdown';
import { loadAverage } from './lib/proc-stats';
import { stopAll } from './lib/processes';
import { closeRecipientSockets } from './lib/recipient-socket';
import { runBench } from './lib/run-bench';

const opts = parseDeliveryOptions();

await runBench('delivery', { keep: opts.keep }, async (workDir, progress) => {
  const startedAt = new Date();
  const loadBefore = loadAverage();
  progress(
    `engine ${opts.engine}; load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')}; work dir ${workDir}`,
  );
  const expected = expectedSeconds(opts);
  progress(
    `expected duration: about ${Math.ceil(expected.typical / 60)} min plus start-up (at most ${expected.steps} measured steps; a step that falls behind drains up to ${opts.drainS} s longer); no step starts after ${opts.budgetMin} min`,
  );
  let tempDb: TempDatabase | undefined;
  if (opts.engine === 'postgres') tempDb = await createTempDatabase(opts.adminDbUrl as string);
  try {
    const targets = await startTargets(opts, workDir, tempDb?.url, progress);
    const { results, outcomes, outOfTime } = await runSearch(opts, targets, progress);
    closeRecipientSockets();
    const profiles = opts.profile ? await profilesSection(workDir, results) : '';
    const md = deliveryReport(opts, {
      startedAt,
      loadBefore,
      loadAfter: loadAverage(),
      results,
      outcomes,
      outOfTime,
      profiles,
    });
    process.stdout.write(`${md}\n`);
    progress(`report written to ${writeResults(opts.profile ? 'delivery-profile' : 'delivery', md)}`);
  } finally {
    closeRecipientSockets();
    closeHttp();
    if (tempDb) {
      await stopAll(); // the services first: dropping the database under them would only make noise
      await tempDb.drop().catch(() => undefined);
    }
  }
});
