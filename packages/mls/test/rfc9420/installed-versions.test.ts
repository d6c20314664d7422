/**
 * The RFC 9420 vectors in this folder prove something about the @noble versions ts-mls actually
 * loads, not the ones its package.json asks for: this file pins which ones those are, so a lockfile
 * change that gives ts-mls a different copy fails here before anyone trusts the vectors blindly.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { expect, test } from 'vitest';

const packageRoot = (entry: string, name: string): string => {
  let dir = path.dirname(entry);
  while (!fs.existsSync(path.join(dir, 'package.json')) || readManifest(dir).name !== name) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json for ${name} above ${entry}`);
    dir = parent;
  }
  return dir;
};
const readManifest = (dir: string): { name: string; version: string } =>
  JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));

/** The version of `name` that `fromFile`'s own imports resolve to. */
const resolvedVersion = (fromFile: string, name: string, subpath: string): string => {
  const entry = createRequire(fromFile).resolve(subpath ? `${name}/${subpath}` : name);
  return readManifest(packageRoot(entry, name)).version;
};

test('ts-mls 1.6.4 runs on the @noble and @hpke versions LockBox decided on', () => {
  const tsMlsEntry = createRequire(import.meta.url).resolve('ts-mls');
  const tsMlsDir = packageRoot(tsMlsEntry, 'ts-mls');
  expect(readManifest(tsMlsDir).version).toBe('1.6.4');
  const fromTsMls = path.join(tsMlsDir, 'dist/src/index.js');
  expect({
    curves: resolvedVersion(fromTsMls, '@noble/curves', 'ed25519.js'),
    ciphers: resolvedVersion(fromTsMls, '@noble/ciphers', 'chacha.js'),
    hpkeCore: resolvedVersion(fromTsMls, '@hpke/core', ''),
    xWing: resolvedVersion(fromTsMls, '@hpke/hybridkem-x-wing', ''),
    chacha: resolvedVersion(fromTsMls, '@hpke/chacha20poly1305', ''),
  }).toEqual({ curves: '2.4.0', ciphers: '2.4.0', hpkeCore: '1.9.0', xWing: '0.7.0', chacha: '1.8.0' });
  // The same copy the rest of LockBox (packages/client) audits and ships, not a second one.
  const fromHere = createRequire(import.meta.url);
  expect(fromHere.resolve('@noble/curves/ed25519.js')).toBe(
    createRequire(fromTsMls).resolve('@noble/curves/ed25519.js'),
  );
});
