/**
 * The v2 measurements run as an esbuild bundle in plain Node, one process per
 * run: under tsx every module of @noble/hashes sits behind tsx's wrappers and
 * the hashes run several times slower than in the bundles LockBox ships, so a
 * tsx run would measure the loader (SECURITY.md 10.10).
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import * as esbuild from 'esbuild';
import type { V2KernelOptions, V2KernelResult } from './v2-kernel';

const ENTRY = path.join(path.dirname(new URL(import.meta.url).pathname), 'v2-entry.ts');

/**
 * ts-mls loads @noble/post-quantum only for ML-DSA suites, which LockBox does not use, and it is
 * not installed for ts-mls; the SDK's own @noble/post-quantum (ML-KEM for v1) is bundled.
 */
const tsMlsPostQuantumExternal: esbuild.Plugin = {
  name: 'ts-mls-post-quantum-external',
  setup(build) {
    build.onResolve({ filter: /^@noble\/post-quantum/ }, (args) =>
      args.importer.includes(`${path.sep}ts-mls${path.sep}`)
        ? { path: args.path, external: true }
        : undefined,
    );
  },
};

/** Builds the bundle into `dir`; returns its path. */
export const buildV2Bundle = async (dir: string): Promise<string> => {
  const outfile = path.join(dir, 'crypto-v2.mjs');
  await esbuild.build({
    entryPoints: [ENTRY],
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outfile,
    logLevel: 'silent',
    plugins: [tsMlsPostQuantumExternal],
    // Some CommonJS dependencies call require() for Node built-ins.
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
  });
  return outfile;
};

/** One run: a fresh `node` process on the bundle. */
export const runV2Bundle = (bundle: string, opts: V2KernelOptions): Promise<V2KernelResult> =>
  runBundle<V2KernelResult>(bundle, opts);

/** A fresh `node` process on the bundle with `opts` (the entry picks the kernel); its last stdout line. */
export const runBundle = async <T>(bundle: string, opts: object): Promise<T> => {
  const { stdout } = await promisify(execFile)(process.execPath, [bundle, JSON.stringify(opts)], {
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1) as string) as T;
};
