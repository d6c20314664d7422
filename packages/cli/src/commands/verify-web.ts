/**
 * verify-web: checks that the web app a server serves is exactly a release
 * (its hash manifest). The server serves the JavaScript that handles the
 * password and the keys, so this is how a person checks it before typing a
 * password there (docs/SECURITY.md, "Server-delivered web code").
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { Run } from '../run';
import { checkServedWebApp, describeFinding } from '../web-check/check';
import { defaultManifestPath, readManifest } from '../web-check/manifest';

export const verifyWebCommands = (program: Command, run: Run) => {
  program
    .command('verify-web')
    .description(
      "check that the web app a server serves is byte for byte a release: every file against the release's hash manifest",
    )
    .argument('[url]', 'the LockBox server (default: LOCKBOX_URL)')
    .option(
      '--manifest <file>',
      "the release's lockbox-web-manifest.json (default: the one built from this checkout's packages/web)",
    )
    .action((url: string | undefined, opts: { manifest?: string }) =>
      run(async (ctx) => {
        const manifestPath = path.resolve(opts.manifest ?? defaultManifestPath());
        if (!opts.manifest && !fs.existsSync(manifestPath))
          throw new Error(
            `no web manifest at ${manifestPath}: build this checkout's web app (pnpm --filter @lockbox/web build) or pass the release's manifest with --manifest <file>`,
          );
        const manifest = readManifest(manifestPath);
        const target = url ?? ctx.env.url;
        if (!/^https?:\/\//i.test(target)) throw new Error(`not an http(s) URL: ${target}`);
        const report = await checkServedWebApp(target, manifest);
        ctx.out.result(report, () =>
          [
            report.matches
              ? `${report.url} matches release ${report.release} of ${report.name}: every file identical (${report.checked.length} checked)`
              : `${report.url} does NOT match release ${report.release} of ${report.name}:`,
            ...report.findings.map((f) => `  ${describeFinding(f)}`),
            report.csp.header
              ? `content-security-policy: ${report.csp.header}`
              : 'content-security-policy: none',
            ...report.csp.weaknesses.map((w) => `  note: ${w}`),
          ].join('\n'),
        );
        if (!report.matches) {
          const names = [...new Set(report.findings.map((f) => f.path))].join(', ');
          throw new Error(
            `the web app at ${report.url} is NOT release ${report.release} (${names}); do not enter your password there`,
          );
        }
      }),
    );
};
