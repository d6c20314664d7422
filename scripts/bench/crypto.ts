/**
 * Crypto bench (BENCH.md "crypto"), two parts (crypto/):
 *
 * - v1: SDK encrypt+sign (`sealMessage`) and verify+decrypt (`openMessage`) of
 *   a 1 KB text message in Node and headless Chromium, alternating, plus the
 *   vault KDF (argon2id, 64 MiB, 3 passes, 1 lane, via hash-wasm).
 * - v2: MLS application messages beside v1 envelopes, and the group
 *   operations of a 2-user, 6-device conversation, in several runs of an
 *   esbuild bundle in plain Node, each with the machine's load; and the
 *   history-archive read of 10,000 messages on a new device, in fresh
 *   processes on the same bundle.
 *
 *   npm run bench:crypto -- [--rounds 3] [--seconds 2] [--kdf-runs 3] [--no-browser]
 *        [--v2-runs 5] [--batch 200] [--batches 5] [--updates 3] [--no-v1] [--no-v2]
 *        [--archive-runs 5] [--archive-messages 10000] [--archive-http-runs 3] [--no-archive]
 *        [--only-archive]
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { ARCHIVE_MESSAGES } from './crypto/archive-read';
import { runV1Section } from './crypto/v1';
import { v2Section } from './crypto/v2-report';
import { archiveOnlySection, runV2 } from './crypto/v2-runs';
import { writeResults } from './lib/markdown';
import { benchArgs } from './lib/options';
import { formatMachineLoad, withMachineLoad } from './lib/proc-stats';
import { runBench } from './lib/run-bench';

const USAGE = `usage: npm run bench:crypto -- [options]

v1 (SDK envelopes under tsx, and in Chromium; the vault KDF):
  --rounds N      rounds, Node and Chromium alternating (default 3)
  --seconds S     seconds per timed loop (default 2)
  --kdf-runs N    argon2id derivations per round (default 3)
  --no-browser    Node only
  --no-v1         skip this part
v2 (MLS beside v1 envelopes, a bundle in plain Node, one process per run):
  --v2-runs N     runs (default 5)
  --batch N       1 KB messages per batch (default 200)
  --batches N     batches per operation and run (default 5)
  --updates N     self-update commits per run (default 3)
  --no-v2         skip this part
archive (part of v2: HistoryArchive.readAll of an archive, one fresh process per read):
  --archive-runs N      reads (default 5)
  --archive-messages N  records in the archive (default 10000)
  --archive-http-runs N reads over HTTP against a real stack, gateway + auth (default 3; 0: none)
  --no-archive          skip this part
  --only-archive        this part alone (no v1, no MLS runs), written to results/crypto-archive-<date>.md
`;

const { values } = parseArgs({
  args: benchArgs(),
  options: {
    rounds: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '2' },
    'kdf-runs': { type: 'string', default: '3' },
    'no-browser': { type: 'boolean', default: false },
    'v2-runs': { type: 'string', default: '5' },
    batch: { type: 'string', default: '200' },
    batches: { type: 'string', default: '5' },
    updates: { type: 'string', default: '3' },
    'archive-runs': { type: 'string', default: '5' },
    'archive-messages': { type: 'string', default: String(ARCHIVE_MESSAGES) },
    'archive-http-runs': { type: 'string', default: '3' },
    'no-archive': { type: 'boolean', default: false },
    'only-archive': { type: 'boolean', default: false },
    'no-v1': { type: 'boolean', default: false },
    'no-v2': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}

const archiveOptions = {
  runs: Number(values['archive-runs']),
  messages: Number(values['archive-messages']),
  httpRuns: Number(values['archive-http-runs']),
};
const onlyArchive = values['only-archive'];

await runBench('crypto', { keep: false }, async (workDir, progress) => {
  const startedAt = new Date().toISOString();
  const [sections, load] = await withMachineLoad(async () => {
    const out: string[] = [];
    if (onlyArchive) {
      out.push(await archiveOnlySection(workDir, archiveOptions, progress));
      return out;
    }
    if (!values['no-v1'])
      out.push(
        await runV1Section(
          Number(values.rounds),
          { seconds: Number(values.seconds), kdfRuns: Number(values['kdf-runs']), messageBytes: 1024 },
          !values['no-browser'],
          progress,
        ),
      );
    if (!values['no-v2']) {
      const v2 = await runV2(
        workDir,
        Number(values['v2-runs']),
        {
          batch: Number(values.batch),
          batches: Number(values.batches),
          updates: Number(values.updates),
          messageBytes: 1024,
        },
        values['no-archive'] ? undefined : archiveOptions,
        progress,
      );
      out.push(v2Section(v2));
    }
    return out;
  });
  const report = [
    '# Crypto bench',
    '',
    `${startedAt} · ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'} · Node ${process.version} · machine over the whole run: ${formatMachineLoad(load)} (load average ${load.loadAverage.map((l) => l.toFixed(1)).join(' ')})`,
    '',
    ...sections.flatMap((s) => [s, '']),
  ].join('\n');
  process.stdout.write(`${report}\n`);
  // An archive-only run keeps the day's full report (v1 and MLS) as it is.
  progress(`written to ${writeResults(onlyArchive ? 'crypto-archive' : 'crypto', report)}`);
});
