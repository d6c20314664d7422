/**
 * The whole of LockBox behind its gateway (auth, messages, realtime), as a
 * client meets it: testkit's suite stack with every service.
 */
import { type Engine, type StackOptions, type SuiteStack, startSuiteStack } from '@lockbox/testkit';

export type FullStack = SuiteStack;

export const startFullStack = (
  engine: Engine,
  opts: Omit<StackOptions, 'engine' | 'services'> = {},
): Promise<FullStack> => startSuiteStack(engine, opts);
