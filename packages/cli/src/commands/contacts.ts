/** search, request, requests, accept, decline, contacts. */
import type { Command } from 'commander';
import { noteSuffix, warnRefusedNotes } from '../request-notes';
import type { Run } from '../run';

export const contactCommands = (program: Command, run: Run) => {
  program
    .command('search')
    .description('find users by username prefix')
    .argument('<query>')
    .action((q: string) =>
      run(async (ctx) => {
        const users = await (await ctx.session()).contacts.search(q);
        ctx.out.result(users, () =>
          users.length ? users.map((u) => `${u.username}  ${u.id}`).join('\n') : 'no users found',
        );
      }),
    );

  program
    .command('request')
    .description('ask a user to connect (the note is end-to-end encrypted to them)')
    .argument('<user>', 'username or user id')
    .option('-m, --message <note>', 'a short note shown with the request')
    .action((user: string, opts: { message?: string }) =>
      run(async (ctx) => {
        const r = await (await ctx.session()).requests.send(user, opts.message);
        ctx.out.result(r, () =>
          r.status === 'accepted'
            ? `${user} had already asked you: you are now contacts`
            : `request sent to ${user}`,
        );
      }),
    );

  program
    .command('requests')
    .description('pending requests to and from you')
    .action(() =>
      run(async (ctx) => {
        const s = await ctx.session();
        const [incoming, outgoing] = await Promise.all([s.requests.incoming(), s.requests.outgoing()]);
        ctx.out.result({ incoming, outgoing }, () => {
          const lines = [
            `incoming (${incoming.length})`,
            ...incoming.map((r) => `  ${r.from_user.username}${noteSuffix(r.note)}  (${r.id})`),
            `outgoing (${outgoing.length})`,
            ...outgoing.map((r) => `  ${r.to_user.username}${noteSuffix(r.note)}  (${r.id})`),
          ];
          return lines.join('\n');
        });
        warnRefusedNotes(ctx.out, [
          ...incoming.map((r) => ({ ...r, who: `from ${r.from_user.username}` })),
          ...outgoing.map((r) => ({ ...r, who: `to ${r.to_user.username}` })),
        ]);
      }),
    );

  for (const action of ['accept', 'decline'] as const)
    program
      .command(action)
      .description(`${action} a pending request`)
      .argument('<user>', 'who sent it (username or id), or the request id')
      .action((user: string) =>
        run(async (ctx) => {
          const r = await (await ctx.session()).requests.respond(user, action);
          ctx.out.result(r, () =>
            action === 'accept' ? `you and ${user} are now contacts` : `declined ${user}`,
          );
        }),
      );

  program
    .command('contacts')
    .description('your contacts')
    .action(() =>
      run(async (ctx) => {
        const contacts = await (await ctx.session()).contacts.list();
        ctx.out.result(contacts, () =>
          contacts.length
            ? contacts
                .map(
                  (c) =>
                    `${c.username}  ${c.id}  since ${c.since.slice(0, 10)}${c.blocked ? '  (blocked)' : ''}`,
                )
                .join('\n')
            : 'no contacts yet: `lockbox request <user>`',
        );
      }),
    );
};
