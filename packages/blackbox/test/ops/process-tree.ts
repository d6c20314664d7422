/**
 * A process and everything it started, read from /proc. turbo runs each task in
 * a process group of its own, so signalling one group does not reach them all:
 * a test that starts turbo collects the whole tree and checks that it is gone.
 */
import fs from 'node:fs';

const parentOf = (pid: number): number | undefined => {
  try {
    // "pid (comm) state ppid …": comm may hold spaces or parentheses, so split after the last ')'.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
};

/** `root` and its descendants alive right now. */
export const processTree = (root: number): number[] => {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const ppid = parentOf(pid);
    if (ppid !== undefined) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  }
  const tree: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift() as number;
    if (!isAlive(pid)) continue;
    tree.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return tree;
};

export const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie has exited; only its parent's wait is missing.
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
};

/** Kills each pid still alive (SIGKILL); returns the ones it had to kill. */
export const killSurvivors = (pids: number[]): number[] => {
  const killed = pids.filter(isAlive);
  for (const pid of killed) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {}
  }
  return killed;
};
