#!/usr/bin/env node
/**
 * The `lockbox` command. The CLI is TypeScript; loading it through tsx costs
 * about a second of CPU per command, so this launcher runs the CLI's release
 * bundle (packages/cli/dist/lockbox.mjs, the `bundle` deployables.mjs names),
 * which scripts/release/bundle.mjs builds when the hash of the sources it is
 * made from (CLI, SDK, contracts, lockfile) no longer matches: a stale bundle
 * is never run. If bundling is not possible, it runs the sources through tsx
 * instead. LOCKBOX_CLI_NO_BUNDLE=1 always uses tsx.
 */
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const pkg = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const entry = path.join(pkg, 'src', 'main.ts');
const release = path.join(pkg, '..', '..', 'scripts', 'release', 'bundle.mjs');

/** The up-to-date bundle's path (building it first if needed), or undefined when that is not possible. */
const bundled = async () => {
  if (process.env.LOCKBOX_CLI_NO_BUNDLE) return undefined;
  try {
    const { ensureBundle } = await import(pathToFileURL(release).href);
    return (await ensureBundle('cli')).file;
  } catch {
    return undefined;
  }
};

const file = await bundled();
if (file) {
  await import(pathToFileURL(file).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(entry).href);
}
