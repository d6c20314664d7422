#!/usr/bin/env node
/**
 * The `lockbox` command. The CLI is TypeScript (the repo has no build step).
 * Loading it through tsx costs about a second of CPU per command, so this
 * launcher bundles it with esbuild into node_modules/.cache, keyed by a hash of
 * every source file it is made from (CLI, SDK, contracts) and the lockfile:
 * any change makes a new bundle, a stale one is never run. If bundling is not
 * possible, it runs the sources through tsx instead. LOCKBOX_CLI_NO_BUNDLE=1
 * always uses tsx.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const pkg = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const repo = path.resolve(pkg, '..', '..');
const entry = path.join(pkg, 'src', 'main.ts');
const sources = [
  path.join(pkg, 'src'),
  path.join(repo, 'packages', 'client', 'src'),
  path.join(repo, 'contracts', 'src'),
];
const cacheDir = path.join(pkg, 'node_modules', '.cache', 'lockbox-cli');

const sourceHash = () => {
  const hash = createHash('sha256');
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts')) hash.update(`${p}\0`).update(fs.readFileSync(p));
    }
  };
  for (const dir of sources) walk(dir);
  const lock = path.join(repo, 'pnpm-lock.yaml');
  if (fs.existsSync(lock)) hash.update(fs.readFileSync(lock));
  return hash.digest('hex').slice(0, 20);
};

/** The cached bundle's path (building it first if needed), or undefined when that is not possible. */
const bundled = async () => {
  if (process.env.LOCKBOX_CLI_NO_BUNDLE) return undefined;
  try {
    const file = path.join(cacheDir, `lockbox-${sourceHash()}.mjs`);
    if (fs.existsSync(file)) return file;
    const esbuild = await import('esbuild');
    fs.mkdirSync(cacheDir, { recursive: true });
    const temp = `${file}.${process.pid}.tmp`;
    await esbuild.build({
      entryPoints: [entry],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      outfile: temp,
      // ws probes these optional native add-ons with require() inside try/catch.
      external: ['bufferutil', 'utf-8-validate'],
      banner: {
        js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
      },
      logLevel: 'silent',
    });
    fs.renameSync(temp, file);
    for (const old of fs.readdirSync(cacheDir))
      if (old !== path.basename(file) && old.startsWith('lockbox-'))
        fs.rmSync(path.join(cacheDir, old), { force: true });
    return file;
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
