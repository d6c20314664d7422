/** register, login, logout, whoami. */
import type { Command } from 'commander';
import type { Ctx } from '../context';
import type { Run } from '../run';

export const accountCommands = (program: Command, run: Run) => {
  program
    .command('register')
    .description('create an account; keys are made here and only leave inside your encrypted vault')
    .argument('<username>', '3–32 letters, digits, "_", "." or "-"')
    .action((username: string) =>
      run(async (ctx: Ctx) => {
        const password = await ctx.password(`Password for new account ${username}: `, true);
        ctx.out.info('deriving keys from your password (argon2id, 64 MiB)…');
        const account = await (await ctx.session()).register(username, password);
        ctx.out.result(account, () => `registered and signed in as ${account.username} (${account.user_id})`);
      }),
    );

  program
    .command('login')
    .description('sign in; restores your keys from the encrypted vault, so history decrypts on a new machine')
    .argument('<username>')
    .option(
      '--accept-kdf-change',
      'accept new password-key parameters because you changed your password on another device (never a downgrade)',
    )
    .action((username: string, opts: { acceptKdfChange?: boolean }) =>
      run(async (ctx) => {
        const password = await ctx.password(`Password for ${username}: `);
        ctx.out.info('deriving keys from your password (argon2id, 64 MiB)…');
        const account = await (await ctx.session()).login(username, password, {
          acceptKdfChange: opts.acceptKdfChange === true,
        });
        ctx.out.result(account, () => `signed in as ${account.username} (${account.user_id})`);
      }),
    );

  program
    .command('logout')
    .description('end the session and remove the keys from this machine (the vault keeps them)')
    .action(() =>
      run(async (ctx) => {
        const s = await ctx.session();
        const who = s.user?.username;
        await s.logout();
        ctx.out.result({ logged_out: true }, () => (who ? `signed out ${who}` : 'not signed in'));
      }),
    );

  program
    .command('whoami')
    .description('who is signed in here, checked with the server')
    .action(() =>
      run(async (ctx) => {
        const me = await (await ctx.session()).whoami();
        ctx.out.result({ ...me, server: ctx.env.url, home: ctx.env.home }, () =>
          [`${me.username} (${me.id})`, `server   ${ctx.env.url}`, `identity ${me.identity_key}`].join('\n'),
        );
      }),
    );

  program
    .command('passwd')
    .description('change your password (keys stay the same; your other logins are signed out)')
    .action(() =>
      run(async (ctx) => {
        const s = await ctx.session();
        const current = await ctx.password('Current password: ');
        const next = await ctx.newPassword('New password: ');
        ctx.out.info('re-sealing your key vault under the new password…');
        await s.changePassword(current, next);
        ctx.out.result({ changed: true }, () => 'password changed; other logins must sign in again');
      }),
    );

  program
    .command('upgrade')
    .description('give an account created with curl (raw password) end-to-end keys, under a new password')
    .argument('<username>')
    .action((username: string) =>
      run(async (ctx) => {
        const current = await ctx.password(`Current (curl) password for ${username}: `);
        const next = await ctx.newPassword('New password (the server never sees this one): ');
        const account = await (await ctx.session()).upgradeAccount(username, current, next);
        ctx.out.result(account, () => `${account.username} now has end-to-end keys; signed in`);
      }),
    );
};
