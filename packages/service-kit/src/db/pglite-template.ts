/**
 * A fresh PGlite data directory starts from a template: the cluster `initdb`
 * makes, dumped once per PGlite version into the checkout's
 * node_modules/.cache. Running initdb straight onto disk costs several times
 * the CPU of unpacking the same files, and every fresh data directory paid it:
 * each service on a first `npm start`, every test stack. The template is made in
 * memory (no file system calls during initdb), by one process at a time; the
 * others wait for it, and anything unexpected falls back to a plain initdb.
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

const make = async (file: string): Promise<void> => {
  const pg = await PGlite.create('memory://');
  try {
    const dump = await pg.dumpDataDir('none');
    const temp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(temp, Buffer.from(await dump.arrayBuffer()));
    fs.renameSync(temp, file);
  } finally {
    await pg.close();
  }
};

/** The template's bytes (made now if this process is first), or undefined to initdb as before. */
export const pgliteTemplate = async (): Promise<Blob | undefined> => {
  const dir = templateDir();
  if (!dir) return undefined;
  try {
    const file = path.join(dir, `template-${pgliteVersion()}.tar`);
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
    return new Blob([fs.readFileSync(file)]);
  } catch {
    return undefined;
  }
};
