/**
 * The release hash manifest of the web app: every file of a build (path
 * relative to the build folder, `/` separators) → its SHA-256, and one digest
 * over the whole list. The digest is the SHA-256 of the lines `sha256sum`
 * prints (`<hex>  <path>\n`), sorted by path, so anyone can recompute it
 * without LockBox:
 *
 *   cd dist && find . -type f ! -name lockbox-web-manifest.json | sed 's|^\./||' \
 *     | LC_ALL=C sort | xargs sha256sum | sha256sum
 *
 * `lockbox verify-web` compares what a server serves with this manifest.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export const MANIFEST_FILE = 'lockbox-web-manifest.json';
export const MANIFEST_FORMAT = 'lockbox-web-manifest/v1';

export interface WebManifest {
  format: typeof MANIFEST_FORMAT;
  name: string;
  version: string;
  /** SHA-256 (hex) of the sorted `sha256sum` lines of `files`. */
  digest: string;
  files: Record<string, string>;
}

const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');

/** Byte order, not locale order: the same on every machine (and what `LC_ALL=C sort` does). */
const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

export const manifestDigest = (files: Record<string, string>): string =>
  sha256(
    Object.keys(files)
      .sort(byteOrder)
      .map((p) => `${files[p]}  ${p}\n`)
      .join(''),
  );

const listFiles = (root: string, dir = root): string[] =>
  fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) =>
      e.isDirectory()
        ? listFiles(root, path.join(dir, e.name))
        : [path.relative(root, path.join(dir, e.name)).split(path.sep).join('/')],
    );

/** The manifest of a build folder (the manifest file itself excluded). */
export const manifestOf = (outDir: string, name: string, version: string): WebManifest => {
  const paths = listFiles(outDir)
    .filter((p) => p !== MANIFEST_FILE)
    .sort(byteOrder);
  const files: Record<string, string> = {};
  for (const p of paths) files[p] = sha256(fs.readFileSync(path.join(outDir, p)));
  return { format: MANIFEST_FORMAT, name, version, digest: manifestDigest(files), files };
};

/** Writes `<outDir>/lockbox-web-manifest.json` (stable JSON: sorted files, two-space indent, final newline). */
export const writeManifest = (outDir: string, name: string, version: string): WebManifest => {
  const manifest = manifestOf(outDir, name, version);
  fs.writeFileSync(path.join(outDir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
};

/** "0.1.0+1a2b3c4d5e6f": how a release is named to people (version and the digest's first 12 hex digits). */
export const releaseName = (m: Pick<WebManifest, 'version' | 'digest'>) =>
  `${m.version}+${m.digest.slice(0, 12)}`;
