/** Asks a yes/no question on the terminal (visible input); refuses when there is no terminal to ask. */
import readline from 'node:readline/promises';
import { PromptUnavailable } from './prompt';

export const confirmOnTerminal = async (question: string, noTerminalHint: string): Promise<boolean> => {
  if (!process.stdin.isTTY) throw new PromptUnavailable(noTerminalHint);
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  try {
    return /^(y|yes)$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
};
