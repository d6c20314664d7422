/**
 * The v1 part of bench:crypto: SDK encrypt+sign (`sealMessage`) and
 * verify+decrypt (`openMessage`) of a 1 KB text message in Node (under tsx)
 * and in headless Chromium (the same kernel bundled), alternating, plus the
 * vault KDF; returns the report's section.
 */
import path from 'node:path';
import { crypto } from '@lockbox/client';
import { chromiumAvailable, openSdkPage, type SdkPage, serveSdk } from '@lockbox/client/test/browser-page';
import { type KernelOptions, type KernelResult, runCryptoKernel } from '../lib/crypto-kernel';
import { fmt, table } from '../lib/markdown';
import { median } from '../lib/report';

const KERNEL_PAGE = path.join(
  path.dirname(new URL(import.meta.url).pathname),
  '..',
  'lib',
  'crypto-kernel-page.ts',
);

export const runV1Section = async (
  rounds: number,
  opts: KernelOptions,
  browser: boolean,
  progress: (m: string) => void,
): Promise<string> => {
  const runners: Array<{ name: string; run: () => Promise<KernelResult> }> = [
    { name: `Node ${process.version}`, run: () => runCryptoKernel(crypto, opts) },
  ];

  let page: SdkPage | undefined;
  let server: Awaited<ReturnType<typeof serveSdk>> | undefined;
  if (browser && chromiumAvailable()) {
    server = await serveSdk(KERNEL_PAGE);
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
  } else if (browser) {
    progress('no Chromium at /usr/bin/chromium (apt-get install -y chromium): Node only');
  }

  const results = new Map<string, KernelResult[]>(runners.map((r) => [r.name, []]));
  try {
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? runners : [...runners].reverse();
      for (const r of order) {
        progress(`v1: round ${round + 1}/${rounds}: ${r.name}…`);
        results.get(r.name)?.push(await r.run());
      }
    }
  } finally {
    await page?.close();
    await server?.close();
  }

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

  return [
    '## v1: SDK envelopes in Node (tsx) and Chromium',
    '',
    `${rounds} rounds of ${opts.seconds} s, alternating, medians. A 1 KB text message (padded to 1,088 bytes), sealed for recipient + sender (two X-Wing encapsulations) and signed with Ed25519; opened by the recipient (signature check, one X-Wing decapsulation, XChaCha20-Poly1305). Node runs the TypeScript under tsx here (the v2 section below compares v1 and v2 as bundles).`,
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
};
