/** Reads a password from the terminal without echoing it. */

import readline from 'node:readline';
import { Writable } from 'node:stream';

export class PromptUnavailable extends Error {}

export const promptHidden = async (question: string): Promise<string> => {
  if (!process.stdin.isTTY)
    throw new PromptUnavailable('no terminal to ask for a password: set LOCKBOX_PASSWORD');
  let muted = false;
  const output = new Writable({
    write(chunk, _encoding, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const rl = readline.createInterface({ input: process.stdin, output, terminal: true });
  try {
    const answer = new Promise<string>((resolve) => rl.question(question, resolve));
    muted = true;
    const value = await answer;
    process.stderr.write('\n');
    return value;
  } finally {
    rl.close();
  }
};
