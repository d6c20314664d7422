/**
 * Prints (and with `--out <file>` saves) the hash manifest of a web build for
 * a release: the release name, the digest to publish, and the manifest JSON
 * that `lockbox verify-web --manifest <file>` checks a server against.
 *
 *   pnpm --filter @lockbox/web release-manifest                   # build, then print
 *   pnpm --filter @lockbox/web release-manifest --out lockbox-web-manifest.json
 *
 * It recomputes every hash from the files on disk and refuses a manifest
 * that no longer matches them (dist/ changed after the build).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { MANIFEST_FILE, manifestOf, releaseName, type WebManifest } from './manifest-web';

const { values } = parseArgs({
  options: { dist: { type: 'string', default: 'dist' }, out: { type: 'string' } },
});
const dist = path.resolve(values.dist ?? 'dist');
const written = path.join(dist, MANIFEST_FILE);
if (!fs.existsSync(written)) {
  process.stderr.write(`no ${MANIFEST_FILE} in ${dist}: build first (pnpm --filter @lockbox/web build)\n`);
  process.exit(1);
}
const manifest = JSON.parse(fs.readFileSync(written, 'utf8')) as WebManifest;
const fresh = manifestOf(dist, manifest.name, manifest.version);
if (JSON.stringify(fresh) !== JSON.stringify(manifest)) {
  process.stderr.write(`${written} does not match the files in ${dist} (changed after the build): rebuild\n`);
  process.exit(1);
}
const json = `${JSON.stringify(manifest, null, 2)}\n`;
if (values.out) fs.writeFileSync(values.out, json);
process.stdout.write(
  `${[
    `release ${releaseName(manifest)} of ${manifest.name}`,
    `digest  ${manifest.digest}`,
    ...Object.entries(manifest.files).map(([f, h]) => `${h}  ${f}`),
    values.out ? `manifest written to ${path.resolve(values.out)}` : json.trimEnd(),
  ].join('\n')}\n`,
);
