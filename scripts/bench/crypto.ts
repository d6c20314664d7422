/**
 * Crypto bench (BENCH.md "crypto"): SDK encrypt+sign (`sealMessage`) and
 * verify+decrypt (`openMessage`) of a 1 KB text message, ops/s, in Node and in
 * headless Chromium (same code, bundled with esbuild), plus the vault KDF cost
 * (argon2id, 64 MiB, 3 passes, 1 lane, via hash-wasm). Node and Chromium
 * rounds alternate; the report gives medians over rounds.
 *
 *   npm run bench:crypto -- [--rounds 3] [--seconds 2] [--kdf-runs 3] [--no-browser]
 */
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { crypto } from '@lockbox/client';
import { chromiumAvailable, openSdkPage, type SdkPage, serveSdk } from '@lockbox/client/test/browser-page';
import { type KernelOptions, type KernelResult, runCryptoKernel } from './lib/crypto-kernel';
import { fmt, table, writeResults } from './lib/markdown';
import { benchArgs } from './lib/options';

const { values } = parseArgs({
  args: benchArgs(),
  options: {
    rounds: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '2' },
    'kdf-runs': { type: 'string', default: '3' },
    'no-browser': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  process.stdout.write(
    'usage: npm run bench:crypto -- [--rounds 3] [--seconds 2] [--kdf-runs 3] [--no-browser]\n',
  );
  process.exit(0);
}

const rounds = Number(values.rounds);
const opts: KernelOptions = {
  seconds: Number(values.seconds),
  kdfRuns: Number(values['kdf-runs']),
  messageBytes: 1024,
};
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

const runners: Array<{ name: string; run: () => Promise<KernelResult>; close?: () => Promise<void> }> = [
  { name: `Node ${process.version}`, run: () => runCryptoKernel(crypto, opts) },
];

let page: SdkPage | undefined;
let server: Awaited<ReturnType<typeof serveSdk>> | undefined;
if (!values['no-browser'] && chromiumAvailable()) {
  server = await serveSdk(
    path.join(path.dirname(new URL(import.meta.url).pathname), 'lib', 'crypto-kernel-page.ts'),
  );
  page = await openSdkPage(server.origin);
  const version = page.browser.version();
  const p = page.page;
  runners.push({
    name: `Chromium ${version}`,
    run: () =>
      p.evaluate(
        (o) =>
          (
            globalThis as unknown as { runCryptoKernel: (x: unknown) => Promise<KernelResult> }
          ).runCryptoKernel(o),
        opts,
      ),
  });
} else if (!values['no-browser']) {
  process.stderr.write('no Chromium at /usr/bin/chromium (apt-get install -y chromium): Node only\n');
}

const results = new Map<string, KernelResult[]>(runners.map((r) => [r.name, []]));
for (let round = 0; round < rounds; round++) {
  const order = round % 2 === 0 ? runners : [...runners].reverse();
  for (const r of order) {
    process.stderr.write(`round ${round + 1}/${rounds}: ${r.name}…\n`);
    results.get(r.name)?.push(await r.run());
  }
}
await page?.close();
await server?.close();

const rows = runners.map((r) => {
  const rs = results.get(r.name) as KernelResult[];
  const kdf = rs.flatMap((x) => x.kdfMs);
  return [
    r.name,
    fmt(median(rs.map((x) => x.sealOpsPerS))),
    fmt(median(rs.map((x) => x.openOpsPerS))),
    fmt(median(kdf)),
    fmt(Math.min(...kdf)),
    String(rs[0]?.envelopeBytes ?? 0),
  ];
});
const partNames = Object.keys((results.get(runners[0]?.name as string) as KernelResult[])[0]?.parts ?? {});
const partRows = partNames.map((part) => [
  part,
  ...runners.map((r) =>
    fmt(median((results.get(r.name) as KernelResult[]).map((x) => x.parts[part] as number)), 2),
  ),
]);

const report = [
  '# Crypto bench',
  '',
  `${new Date().toISOString()} · ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'} · load average ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} · ${rounds} rounds of ${opts.seconds} s, alternating, medians`,
  '',
  'A 1 KB text message (padded to 1,088 bytes), sealed for recipient + sender (two X-Wing encapsulations) and signed with Ed25519; opened by the recipient (signature check, one X-Wing decapsulation, XChaCha20-Poly1305).',
  '',
  table(
    [
      'runtime',
      'encrypt+sign ops/s',
      'verify+decrypt ops/s',
      'vault KDF ms (median)',
      'KDF ms (best)',
      'envelope bytes',
    ],
    rows,
  ),
  '',
  'Where the time goes (ms per operation):',
  '',
  table(['step', ...runners.map((r) => r.name)], partRows),
  '',
  'The vault KDF runs once per register/login/password change (argon2id m=64 MiB, t=3, p=1 through hash-wasm), plus the HKDF split into login secret and vault key.',
].join('\n');
process.stdout.write(`${report}\n`);
process.stderr.write(`written to ${writeResults('crypto', report)}\n`);
