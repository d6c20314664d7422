/**
 * The Node store: one file per key under a directory (0700), each file 0600,
 * written atomically (temp file + rename) so a crash never leaves half a key.
 * Locks are lock files created with O_EXCL, so two `lockbox` processes on one
 * LOCKBOX_HOME take turns; a lock older than STALE_MS is a crashed holder's.
 * Node-only: exported from `@lockbox/client/node`, never from the browser entry.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { createNamedMutex } from './mutex';
import { assertStoreKey, type KeyValueStore } from './types';

const STALE_MS = 30_000;

export class FileStore implements KeyValueStore {
  readonly #mutex = createNamedMutex();
  #ready: Promise<void> | undefined;

  constructor(readonly dir: string) {}

  #ensureDir(): Promise<void> {
    this.#ready ??= (async () => {
      await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
      await fs.chmod(this.dir, 0o700);
    })();
    return this.#ready;
  }

  #file(key: string) {
    return path.join(this.dir, `${assertStoreKey(key)}.json`);
  }

  async get(key: string) {
    try {
      return await fs.readFile(this.#file(key), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async set(key: string, value: string) {
    await this.#ensureDir();
    const target = this.#file(key);
    const temp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
    await fs.writeFile(temp, value, { mode: 0o600, flag: 'wx' });
    await fs.rename(temp, target);
  }

  async delete(key: string) {
    await fs.rm(this.#file(key), { force: true });
  }

  async keys(prefix: string) {
    let names: string[];
    try {
      names = await fs.readdir(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    return names
      .filter((n) => n.endsWith('.json'))
      .map((n) => n.slice(0, -5))
      .filter((k) => k.startsWith(prefix))
      .sort();
  }

  withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
    return this.#mutex(name, async () => {
      await this.#ensureDir();
      const lockFile = path.join(this.dir, `${assertStoreKey(name)}.lock`);
      const deadline = Date.now() + STALE_MS + 5_000;
      for (;;) {
        try {
          const handle = await fs.open(lockFile, 'wx', 0o600);
          await handle.close();
          break;
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
          const stat = await fs.stat(lockFile).catch(() => undefined);
          if (stat && Date.now() - stat.mtimeMs > STALE_MS) await fs.rm(lockFile, { force: true });
          else if (Date.now() > deadline) throw new Error(`timed out waiting for lock ${name}`);
          else await new Promise((r) => setTimeout(r, 25 + Math.random() * 50));
        }
      }
      try {
        return await fn();
      } finally {
        await fs.rm(lockFile, { force: true });
      }
    });
  }
}
