/**
 * Steady message traffic through the gateway while a fault comes and goes:
 * one message after another (each must be answered 201), to one or several
 * recipients in turn.
 */
import { type Client, readStream, type SendAnswer, sendMessage, type TestUser } from '@lockbox/testkit';

export const sendStream = async (
  api: Client,
  from: TestUser,
  to: readonly TestUser[],
  count: number,
): Promise<SendAnswer[]> => {
  const answers: SendAnswer[] = [];
  for (let i = 0; i < count; i++) answers.push(await sendMessage(api, from, to[i % to.length] as TestUser));
  return answers;
};

/** The cursors of a user's whole stream (GET /messages): what its sockets must have been sent, once each, in order. */
export const committedCursors = async (api: Client, user: TestUser): Promise<string[]> =>
  (await readStream(api, user)).map((m) => m.cursor);
