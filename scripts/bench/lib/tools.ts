/** The external tools a bench needs (wrk, nginx): found on PATH, or installed from Debian when we are root. */
import { execFileSync, spawnSync } from 'node:child_process';

const onPath = (binary: string): boolean =>
  spawnSync('sh', ['-c', `command -v ${binary}`], { stdio: 'ignore' }).status === 0;

export const ensureDebianTool = (binary: string, debianPackage: string, log: (m: string) => void) => {
  if (onPath(binary)) return;
  if (process.getuid?.() !== 0)
    throw new Error(
      `${binary} is not installed. Install it with:  sudo apt-get install -y ${debianPackage}   and run the bench again.`,
    );
  log(`${binary} is missing: apt-get install -y ${debianPackage}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () =>
    spawnSync('apt-get', ['install', '-y', '--no-install-recommends', debianPackage], {
      stdio: 'inherit',
      env,
    });
  if (install().status !== 0) {
    spawnSync('apt-get', ['update'], { stdio: 'inherit', env });
    if (install().status !== 0) throw new Error(`apt-get install -y ${debianPackage} failed`);
  }
  if (!onPath(binary)) throw new Error(`${debianPackage} installed but ${binary} is still not on PATH`);
};

/** First line of `<binary> <flag>` (stdout or stderr), e.g. "nginx version: nginx/1.22.1". */
export const toolVersion = (binary: string, flag: string): string => {
  try {
    const r = spawnSync(binary, [flag], { encoding: 'utf8' });
    return `${r.stdout}${r.stderr}`.split('\n')[0]?.trim() ?? 'unknown';
  } catch {
    return 'unknown';
  }
};

export const nodeVersion = () => execFileSync(process.execPath, ['--version'], { encoding: 'utf8' }).trim();
