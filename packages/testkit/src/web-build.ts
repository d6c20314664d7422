/**
 * Builds the web app (packages/web, with its release manifest) into a folder
 * of its own, so a test serves what the source says now, not a stale dist/.
 * The web tests and the CLI's verify-web tests share it.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from './stack';

const WEB_ROOT = path.join(REPO_ROOT, 'packages', 'web');

/** Builds into `outDir` and resolves with the path of its release manifest. */
export const buildWebApp = (outDir: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const vite = path.join(WEB_ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
    const child = spawn(process.execPath, [vite, 'build', '--logLevel', 'warn'], {
      cwd: WEB_ROOT,
      env: { ...process.env, LOCKBOX_WEB_OUT_DIR: outDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => {
      output += d;
    });
    child.stderr.on('data', (d) => {
      output += d;
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0
        ? resolve(path.join(outDir, 'lockbox-web-manifest.json'))
        : reject(new Error(`vite build failed (${code}):\n${output.slice(-4000)}`)),
    );
  });
