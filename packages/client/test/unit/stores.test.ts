/** The key stores: same behaviour everywhere; file permissions and a cross-process lock in Node. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { IndexedDbStore, type KeyValueStore, MemoryStore } from '../../src';
import { FileStore } from '../../src/node';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'lockbox-store-'));

const stores: Array<[string, () => KeyValueStore]> = [
  ['memory', () => new MemoryStore()],
  ['file', () => new FileStore(path.join(tmp(), 'home'))],
  ['indexeddb', () => new IndexedDbStore(`test-${Math.random()}`, new IDBFactory())],
];

describe.each(stores)('%s store', (_name, make) => {
  it('gets, sets, lists by prefix and deletes', async () => {
    const s = make();
    expect(await s.get('identity')).toBeUndefined();
    await s.set('identity', '{"a":1}');
    await s.set('pin.me.usr_1', 'x');
    await s.set('pin.me.usr_2', 'y');
    await s.set('pin.other.usr_3', 'z');
    expect(await s.get('identity')).toBe('{"a":1}');
    expect(await s.keys('pin.me.')).toEqual(['pin.me.usr_1', 'pin.me.usr_2']);
    await s.set('identity', 'replaced');
    expect(await s.get('identity')).toBe('replaced');
    await s.delete('identity');
    expect(await s.get('identity')).toBeUndefined();
  });

  it('refuses keys that could escape the store (paths, dots, uppercase)', async () => {
    const s = make();
    for (const bad of ['../x', 'a/b', '.hidden', 'UPPER', '', 'x'.repeat(200)])
      await expect(s.set(bad, 'v')).rejects.toThrow(/invalid store key/);
  });

  it('serialises work under one lock name', async () => {
    const s = make();
    const log: string[] = [];
    const job = (name: string) =>
      s.withLock('session', async () => {
        log.push(`${name} in`);
        await new Promise((r) => setTimeout(r, 20));
        log.push(`${name} out`);
      });
    await Promise.all([job('a'), job('b')]);
    expect(log).toEqual(['a in', 'a out', 'b in', 'b out']);
  });
});

describe('FileStore on disk', () => {
  it('keeps the directory 0700 and every file 0600, written atomically', async () => {
    const dir = path.join(tmp(), 'home');
    const s = new FileStore(dir);
    await s.set('identity', 'secret seeds');
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    expect(fs.statSync(path.join(dir, 'identity.json')).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(dir)).toEqual(['identity.json']);
  });

  it('two store objects on one directory (two processes) exclude each other', async () => {
    const dir = path.join(tmp(), 'home');
    const a = new FileStore(dir);
    const b = new FileStore(dir);
    let inside = 0;
    let overlap = false;
    const job = (s: FileStore) =>
      s.withLock('session', async () => {
        inside++;
        if (inside > 1) overlap = true;
        await new Promise((r) => setTimeout(r, 30));
        inside--;
      });
    await Promise.all([job(a), job(b), job(a), job(b)]);
    expect(overlap).toBe(false);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.lock'))).toEqual([]);
  });

  it('takes over a lock left by a crashed process once it is stale', async () => {
    const dir = path.join(tmp(), 'home');
    fs.mkdirSync(dir, { recursive: true });
    const lock = path.join(dir, 'session.lock');
    fs.writeFileSync(lock, '');
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(lock, old, old);
    expect(await new FileStore(dir).withLock('session', async () => 'got it')).toBe('got it');
  });
});
