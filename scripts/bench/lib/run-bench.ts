/**
 * The frame of a bench: a temp work dir, everything started stopped at the end
 * (also on Ctrl-C and errors), the work dir removed unless kept — and kept,
 * with its logs, when the bench failed.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stopAll, stopEverythingOnExit } from './processes';

export const runBench = async (
  name: string,
  opts: { keep: boolean },
  body: (workDir: string, progress: (m: string) => void) => Promise<void>,
) => {
  const progress = (m: string) => console.error(`[bench:${name}] ${m}`);
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), `lockbox-bench-${name}-`));
  fs.chmodSync(workDir, 0o755); // NGINX workers run as nobody when the bench runs as root
  let failed = false;
  const cleanup = () => {
    if (opts.keep || failed) progress(`kept ${workDir} (logs, data, configs)`);
    else fs.rmSync(workDir, { recursive: true, force: true });
  };
  stopEverythingOnExit(cleanup);
  try {
    await body(workDir, progress);
  } catch (err) {
    failed = true;
    progress(`failed: ${(err as Error).stack ?? err}`);
    process.exitCode = 1;
  } finally {
    await stopAll();
    cleanup();
  }
};
