/**
 * testkit's `startStack` for a bench: the whole LockBox (gateway, services,
 * a fresh Postgres database) whose processes can be killed and restarted on
 * their ports, stopped with everything else when the bench ends — normally,
 * on an error or on Ctrl-C — and its database dropped.
 */
import { type Stack, type StackOptions, startStack } from '@lockbox/testkit';
import { treeUsage } from './proc-stats';
import { adopt } from './processes';

export const startBenchStack = async (opts: StackOptions, graceMs = 10_000): Promise<Stack> => {
  const stack = await startStack(opts);
  adopt({
    stop: async () => {
      await Promise.all(
        stack.processes.map(async (p) => {
          const timer = setTimeout(() => void p.kill('SIGKILL'), graceMs);
          await p.kill('SIGTERM');
          clearTimeout(timer);
        }),
      );
      await stack.stop(); // every process is gone: this drops the database
    },
    killNow: () => {
      for (const p of stack.processes) p.child?.kill('SIGKILL');
    },
  });
  return stack;
};

/** Resident memory of each of the stack's processes now, MiB (undefined: not running). */
export const stackRssMb = (stack: Stack): Record<string, number | undefined> =>
  Object.fromEntries(
    stack.processes.map((p) => {
      const pid = p.child?.exitCode === null && p.child.signalCode === null ? p.child.pid : undefined;
      return [p.name, pid === undefined ? undefined : treeUsage(pid).rssKb / 1024];
    }),
  );
