/**
 * A fresh PGlite data directory starts from a template: the cluster `initdb`
 * makes, kept once per PGlite version as a shut-down data directory in the
 * checkout's node_modules/.cache. Running initdb straight onto disk costs
 * several times the CPU of copying the same files, and every fresh data
 * directory paid it: each service on a first `npm start`, every test stack.
 * Copying a cleanly closed cluster's directory is a plain file copy (no tar to
 * unpack through PGlite's in-memory file system, then write out again).
 * The template is made by initdb in memory (no file system calls during
 * initdb), written to disk once, by one process at a time; the others wait for
 * it, and anything unexpected falls back to a plain initdb.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { baseDir } from '../env';

const WAIT_FOR_OTHER_MS = 120_000;
const POLL_MS = 100;

/** The installed PGlite's version: a template is only valid for the initdb that made it. */
const pgliteVersion = (): string => {
  let dir = path.dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite'));
  for (;;) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) {
      const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === '@electric-sql/pglite' && pkg.version) return pkg.version;
    }
    if (path.dirname(dir) === dir) throw new Error('cannot find the version of @electric-sql/pglite');
    dir = path.dirname(dir);
  }
};

/** Where templates live, or undefined outside a checkout with node_modules (then: plain initdb). */
const templateDir = (): string | undefined => {
  const modules = path.join(baseDir(), 'node_modules');
  return fs.existsSync(modules) ? path.join(modules, '.cache', 'lockbox-pglite') : undefined;
};

const make = async (target: string): Promise<void> => {
  const memory = await PGlite.create('memory://');
  let dump: Blob;
  try {
    dump = await memory.dumpDataDir('none');
  } finally {
    await memory.close();
  }
  // Written out once through PGlite itself, closed cleanly, then published by a rename.
  const temp = `${target}.${process.pid}.tmp`;
  fs.rmSync(temp, { recursive: true, force: true });
  const disk = await PGlite.create(temp, { loadDataDir: dump });
  await disk.close();
  fs.renameSync(temp, target);
};

/** The template's directory (made now if this process is first), or undefined to initdb as before. */
export const pgliteTemplate = async (): Promise<string | undefined> => {
  const dir = templateDir();
  if (!dir) return undefined;
  try {
    const file = path.join(dir, `template-${pgliteVersion()}`);
    const lock = `${file}.lock`;
    fs.mkdirSync(dir, { recursive: true });
    const deadline = Date.now() + WAIT_FOR_OTHER_MS;
    while (!fs.existsSync(file)) {
      let mine = false;
      try {
        fs.writeFileSync(lock, String(process.pid), { flag: 'wx' });
        mine = true;
      } catch {
        // Another process is making it; a lock older than the wait is left over from a crash.
        const since = fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs;
        if (since !== undefined && Date.now() - since > WAIT_FOR_OTHER_MS) fs.rmSync(lock, { force: true });
      }
      if (mine) {
        try {
          await make(file);
        } finally {
          fs.rmSync(lock, { force: true });
        }
      } else if (Date.now() > deadline) return undefined;
      else await new Promise((r) => setTimeout(r, POLL_MS));
    }
    return fs.existsSync(path.join(file, 'PG_VERSION')) ? file : undefined;
  } catch {
    return undefined;
  }
};
