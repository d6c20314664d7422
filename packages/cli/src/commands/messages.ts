/** send, read, listen. */
import type { DecryptedMessage, RealtimeClient } from '@lockbox/client';
import type { Command } from 'commander';
import { messageJson, messageLine } from '../format';
import type { Output } from '../output';
import { noteSuffix, warnRefusedNotes } from '../request-notes';
import type { Run } from '../run';

/** `read` exits with this when it printed any refused message (misplaced, replayed, bad signature…). */
export const EXIT_MESSAGES_REFUSED = 3;

/**
 * Says on stderr what a person must not miss in a batch of messages: refused
 * ones (the server may be tampering) and server times far from the signed
 * ones. Returns whether any message was refused.
 */
const warnAbout = (out: Output, messages: DecryptedMessage[]): boolean => {
  const refused = messages.filter((m) => m.error);
  if (refused.length > 0) {
    const codes = [...new Set(refused.map((m) => m.error?.code))].join(', ');
    out.warn(
      'messages_refused',
      `${refused.length} message(s) refused (${codes}): the server may be tampering; their content is not shown`,
      { count: refused.length, codes: codes.split(', ') },
    );
  }
  const skewed = messages.filter((m) => !m.error && m.server_time_differs);
  if (skewed.length > 0)
    out.warn(
      'server_time_differs',
      `${skewed.length} message(s) carry a server time more than 10 minutes from the time the sender signed; the signed time is shown`,
      { count: skewed.length },
    );
  return refused.length > 0;
};

export const messageCommands = (program: Command, run: Run) => {
  program
    .command('send')
    .description('send an end-to-end encrypted message to a contact')
    .argument('<user>', 'username or user id')
    .argument('<text...>', 'the message (several words are joined by spaces)')
    .action((user: string, words: string[]) =>
      run(async (ctx) => {
        const sent = await (await ctx.session()).messages.send(user, words.join(' '));
        ctx.out.result(sent, () => `sent to ${user} (#${sent.seq})`);
      }),
    );

  program
    .command('read')
    .description('the conversation with a contact, decrypted, oldest first')
    .argument('<user>', 'username or user id')
    .option('-n, --limit <n>', 'only the newest n messages', (v) => Number.parseInt(v, 10))
    .action((user: string, opts: { limit?: number }) =>
      run(async (ctx) => {
        const s = await ctx.session();
        const history = await s.messages.history(user, opts.limit ? { limit: opts.limit } : {});
        const names = await ctx.names();
        ctx.out.result(
          history.map((m) => messageJson(m, names)),
          () => (history.length ? history.map((m) => messageLine(m, names)).join('\n') : 'no messages yet'),
        );
        const lastIncoming = [...history].reverse().find((m) => !m.outgoing && !m.error);
        if (lastIncoming)
          await s.api.trpc.messages.read
            .mutate({ contact_id: lastIncoming.sender_id, up_to: lastIncoming.seq })
            .catch(() => undefined);
        if (warnAbout(ctx.out, history)) process.exitCode = EXIT_MESSAGES_REFUSED;
      }),
    );

  program
    .command('listen')
    .description('print messages as they arrive (decrypted), resuming after drops; Ctrl-C to stop')
    .option('--from-start', 'on first use, replay every message instead of starting from now')
    .action((opts: { fromStart?: boolean }) =>
      run(async (ctx) => {
        const s = await ctx.session();
        let names = await ctx.names();
        let client: RealtimeClient | undefined;
        const done = new Promise<number>((resolve) => {
          const stop = () => void client?.stop().then(() => resolve(0));
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
          const ended = () => {
            ctx.out.warn('session_ended', 'your session ended: run `lockbox login <username>` again');
            resolve(1);
          };
          void s.live
            .listen(
              {
                onMessage: (m) => {
                  warnAbout(ctx.out, [m]);
                  if (ctx.out.json)
                    process.stdout.write(
                      `${JSON.stringify({ type: 'message', ...messageJson(m, names) })}\n`,
                    );
                  else process.stdout.write(`${messageLine(m, names)}\n`);
                },
                onChatRequest: (r) => {
                  const who = r.from_username ?? r.from_user_id;
                  if (ctx.out.json)
                    process.stdout.write(`${JSON.stringify({ type: 'chat_request', ...r })}\n`);
                  else
                    process.stdout.write(
                      `* ${who} wants to connect${noteSuffix(r.note)}: \`lockbox accept ${who}\`\n`,
                    );
                  warnRefusedNotes(ctx.out, [{ ...r, who: `from ${who}` }]);
                },
                onChatRequestAccepted: (r) => {
                  void ctx.names().then((n) => {
                    names = n;
                    if (ctx.out.json)
                      process.stdout.write(`${JSON.stringify({ type: 'chat_request_accepted', ...r })}\n`);
                    else process.stdout.write(`* ${names(r.to_user_id)} accepted your request\n`);
                  });
                },
                onState: (state, detail) => {
                  if (ctx.out.json)
                    process.stdout.write(
                      `${JSON.stringify({ type: 'state', state, ...(detail ? { detail } : {}) })}\n`,
                    );
                  else ctx.out.info(`[${state}${detail ? `: ${detail}` : ''}]`);
                },
                onSessionEnded: ended,
              },
              opts.fromStart ? { fromStart: true } : {},
            )
            .then((c) => {
              client = c;
            });
        });
        process.exitCode = await done;
      }),
    );
};
