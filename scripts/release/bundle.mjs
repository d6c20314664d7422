#!/usr/bin/env node
/**
 * Release bundles: each deployable with a `bundle` in contracts/src/deployables.mjs
 * is bundled with esbuild into that path, so a release runs `node <bundle>`
 * instead of transpiling TypeScript at every start.
 *
 * - The workspace's own TypeScript (the deployable and the @lockbox/* packages it
 *   imports) goes into the bundle; third-party packages stay external and load
 *   from node_modules at run time (PGlite finds its wasm files next to itself).
 *   pnpm gives each package only its own dependencies, so the bundle gets
 *   `dist/node_modules/<name>` links to the exact copies its sources resolved.
 * - A bundle is rebuilt only when the hash of what it is made from changes (each
 *   package's src/, package.json and tsconfig, the lockfile, this script); the
 *   metafile check below fails the build if esbuild read a file that hash misses.
 *
 *   node scripts/release/bundle.mjs [name ...] [--force]   (default: every bundle)
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEPLOYABLES, deployable } from '../../contracts/src/deployables.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const HASH_SUFFIX = '.source-hash';
const BUILTINS = new Set(builtinModules);

const readJson = (file) => JSON.parse(fs.readFileSync(file, 'utf8'));

/** Workspace package folders by package name. */
const workspacePackages = () => {
  const dirs = [
    'contracts',
    'gateway',
    ...fs.readdirSync(path.join(ROOT, 'packages')).map((d) => `packages/${d}`),
  ];
  const byName = new Map();
  for (const dir of dirs) {
    const file = path.join(ROOT, dir, 'package.json');
    if (fs.existsSync(file)) byName.set(readJson(file).name, dir);
  }
  return byName;
};

/** The deployable's package and every workspace package its runtime dependencies reach. */
const sourcePackages = (packageDir) => {
  const byName = workspacePackages();
  const seen = new Set([packageDir]);
  const queue = [packageDir];
  while (queue.length > 0) {
    const deps = readJson(path.join(ROOT, queue.shift(), 'package.json')).dependencies ?? {};
    for (const [name, range] of Object.entries(deps)) {
      const dir = byName.get(name);
      if (dir && String(range).startsWith('workspace:') && !seen.has(dir)) {
        seen.add(dir);
        queue.push(dir);
      }
    }
  }
  return [...seen].sort();
};

const hashTree = (hash, dir) => {
  if (!fs.existsSync(dir)) return;
  const entries = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) hashTree(hash, p);
    else hash.update(`${path.relative(ROOT, p)}\0`).update(fs.readFileSync(p));
  }
};

/** What a bundle is made from: a change to any of it makes a new bundle. */
export const sourceHash = (name) => {
  const packages = sourcePackages(deployable(name).packageDir);
  const hash = createHash('sha256');
  for (const dir of packages) {
    hashTree(hash, path.join(ROOT, dir, 'src'));
    for (const f of ['package.json', 'tsconfig.json'])
      if (fs.existsSync(path.join(ROOT, dir, f))) hash.update(fs.readFileSync(path.join(ROOT, dir, f)));
  }
  for (const f of ['pnpm-lock.yaml', 'tsconfig.base.json', 'scripts/release/bundle.mjs'])
    if (fs.existsSync(path.join(ROOT, f))) hash.update(`${f}\0`).update(fs.readFileSync(path.join(ROOT, f)));
  return { hash: hash.digest('hex').slice(0, 24), packages };
};

/** `@scope/name/sub` → `@scope/name`; `name/sub` → `name`. */
const packageNameOf = (specifier) => {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
};

/** The real folder of `name` as Node would find it from `fromDir`. */
const resolvePackageDir = (name, fromDir) => {
  for (let dir = fromDir; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (fs.existsSync(path.join(candidate, 'package.json'))) return fs.realpathSync(candidate);
    if (path.dirname(dir) === dir) throw new Error(`cannot find ${name} from ${fromDir}`);
  }
};

/** ws probes these optional native add-ons with require() inside try/catch: never bundled. */
const OPTIONAL_NATIVE = new Set(['bufferutil', 'utf-8-validate']);

/**
 * esbuild plugin: third-party imports stay imports; records where each one must come from.
 * With `bundleThirdParty` (the CLI) they go inside instead: a command is a short process, and
 * resolving and loading a few hundred module files per run costs it more than the bundle's size.
 */
const externalsPlugin = (externals, bundleThirdParty) => ({
  name: 'lockbox-externals',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('@lockbox/')) return undefined; // the workspace's own code: bundle it
      if (args.path.startsWith('node:') || BUILTINS.has(args.path))
        return { path: args.path, external: true };
      if (OPTIONAL_NATIVE.has(args.path)) return { path: args.path, external: true };
      if (bundleThirdParty) return undefined;
      const name = packageNameOf(args.path);
      const dir = resolvePackageDir(name, args.resolveDir);
      const seen = externals.get(name);
      if (seen && seen !== dir)
        throw new Error(`${name} resolves to two copies (${seen}, ${dir}); a bundle can link only one`);
      externals.set(name, dir);
      return { path: args.path, external: true };
    });
  },
});

/** Writes a file so that a reader sees the old or the new content, never half of it. */
const writeAtomic = (file, contents) => {
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, contents);
  fs.renameSync(temp, file);
};

/** Points dist/node_modules/<name> at the copy the sources resolved (relative, so the checkout can move). */
const linkExternals = (outDir, externals) => {
  for (const [name, target] of externals) {
    const link = path.join(outDir, 'node_modules', name);
    fs.mkdirSync(path.dirname(link), { recursive: true });
    const relative = path.relative(path.dirname(link), target);
    let current;
    try {
      current = fs.readlinkSync(link);
    } catch {}
    if (current === relative) continue;
    const temp = `${link}.${process.pid}.tmp`;
    fs.symlinkSync(relative, temp, 'dir');
    fs.renameSync(temp, link);
  }
};

/** Fails when esbuild read a workspace file outside the packages the source hash covers. */
const checkInputsHashed = (metafile, packages) => {
  for (const input of Object.keys(metafile.inputs)) {
    const file = path.resolve(ROOT, input);
    if (file.split(path.sep).includes('node_modules')) continue;
    if (!packages.some((dir) => file.startsWith(path.join(ROOT, dir, 'src') + path.sep)))
      throw new Error(`the bundle reads ${input}, which its source hash does not cover`);
  }
};

/**
 * Builds `name`'s bundle unless the one on disk was made from the same sources.
 * @returns {Promise<{ file: string, built: boolean }>}
 */
export const ensureBundle = async (name, { force = false } = {}) => {
  const d = deployable(name);
  const file = path.join(ROOT, d.bundle);
  const hashFile = `${file}${HASH_SUFFIX}`;
  const { hash, packages } = sourceHash(name);
  const onDisk = fs.existsSync(hashFile) ? fs.readFileSync(hashFile, 'utf8').trim() : undefined;
  if (!force && onDisk === hash && fs.existsSync(file)) return { file, built: false };

  const esbuild = await import('esbuild');
  const externals = new Map();
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: [path.join(ROOT, d.entry)],
    outfile: file,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'linked',
    metafile: true,
    write: false,
    logLevel: 'silent',
    plugins: [externalsPlugin(externals, d.kind === 'cli')],
    // Bundled CommonJS dependencies call require(); an ES module has none of its own.
    ...(d.kind === 'cli'
      ? {
          banner: {
            js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
          },
        }
      : {}),
  });
  checkInputsHashed(result.metafile, packages);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  linkExternals(path.dirname(file), externals);
  // The map first, then the bundle that names it, then the hash that vouches for both.
  const sorted = [...result.outputFiles].sort((a) => (a.path.endsWith('.map') ? -1 : 1));
  for (const out of sorted) writeAtomic(out.path, out.contents);
  writeAtomic(hashFile, `${hash}\n`);
  return { file, built: true };
};

/** Every deployable that has a bundle. */
export const BUNDLED = DEPLOYABLES.filter((d) => d.bundle).map((d) => d.name);

const isMain = process.argv[1] && fs.realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const args = process.argv.slice(2);
  const force = args.includes('--force');
  const names = args.filter((a) => a !== '--force');
  for (const name of names.length > 0 ? names : BUNDLED) {
    const started = performance.now();
    const { file, built } = await ensureBundle(name, { force });
    const ms = Math.round(performance.now() - started);
    process.stderr.write(
      `[bundle] ${name}: ${path.relative(ROOT, file)} ${built ? `built in ${ms} ms` : 'up to date'}\n`,
    );
  }
}
