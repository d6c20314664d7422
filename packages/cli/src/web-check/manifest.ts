/**
 * Reads a web release manifest (the format packages/web/scripts/manifest-web.ts
 * writes) and checks that it is self-consistent: its digest must be the
 * SHA-256 of its own `sha256sum` lines, so the digest people publish and
 * compare names exactly this list of files.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const MANIFEST_FILE = 'lockbox-web-manifest.json';

const HEX64 = /^[0-9a-f]{64}$/;
/** Relative paths of a build folder: no leading `/`, no `..`, no backslashes. */
const FILE_PATH = /^(?!\/)(?!.*(^|\/)\.\.?(\/|$))[A-Za-z0-9._@+~-]+(\/[A-Za-z0-9._@+~-]+)*$/;

export interface WebManifest {
  format: 'lockbox-web-manifest/v1';
  name: string;
  version: string;
  digest: string;
  files: Record<string, string>;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** What is wrong with `raw` as a manifest, or undefined when nothing is. */
const manifestProblem = (raw: unknown): string | undefined => {
  if (!isRecord(raw)) return 'not a JSON object';
  if (raw.format !== 'lockbox-web-manifest/v1') return 'format is not lockbox-web-manifest/v1';
  if (typeof raw.name !== 'string' || raw.name === '') return 'no name';
  if (typeof raw.version !== 'string' || raw.version === '') return 'no version';
  if (typeof raw.digest !== 'string' || !HEX64.test(raw.digest)) return 'digest is not 64 hex digits';
  if (!isRecord(raw.files)) return 'no files';
  for (const [p, h] of Object.entries(raw.files)) {
    if (!FILE_PATH.test(p)) return `bad file path ${JSON.stringify(p)}`;
    if (typeof h !== 'string' || !HEX64.test(h)) return `bad sha256 for ${p}`;
  }
  return undefined;
};

export const sha256Hex = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');

const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

export const manifestDigest = (files: Record<string, string>): string =>
  sha256Hex(
    Object.keys(files)
      .sort(byteOrder)
      .map((p) => `${files[p]}  ${p}\n`)
      .join(''),
  );

export const releaseName = (m: WebManifest) => `${m.version}+${m.digest.slice(0, 12)}`;

export const readManifest = (file: string): WebManifest => {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read the web manifest ${file}: ${(err as Error).message}`);
  }
  const problem = manifestProblem(raw);
  if (problem) throw new Error(`${file} is not a LockBox web manifest (${problem})`);
  const manifest = raw as WebManifest;
  if (!manifest.files['index.html']) throw new Error(`${file} does not list index.html`);
  if (manifestDigest(manifest.files) !== manifest.digest)
    throw new Error(`${file}: its digest does not match its list of files (edited or corrupt)`);
  return manifest;
};

/** This checkout's root: the nearest folder above the CLI (source or bundle) with pnpm-workspace.yaml. */
const checkoutRoot = (): string | undefined => {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (fs.existsSync(path.join(dir, 'pnpm-workspace.yaml'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
};

/** The manifest of the web app built from this checkout (`pnpm --filter @lockbox/web build`). */
export const defaultManifestPath = (): string => {
  const root = checkoutRoot();
  if (!root) throw new Error('no LockBox checkout found: pass the release manifest with --manifest <file>');
  return path.join(root, 'packages', 'web', 'dist', MANIFEST_FILE);
};
