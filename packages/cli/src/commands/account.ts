/** register, login, logout, whoami, sessions, passwd, upgrade, reset-identity. */
import type { Command } from 'commander';
import { confirmOnTerminal } from '../confirm';
import type { Ctx } from '../context';
import { checkDeviceName } from '../device-name';
import type { Run } from '../run';

const DEVICE_NAME_FLAG = '--device-name <name>';
const DEVICE_NAME_HELP =
  'what your device list calls this machine (1–64 characters; default "lockbox CLI on <hostname>"); a machine already signed in keeps its name';

export const accountCommands = (program: Command, run: Run) => {
  program
    .command('register')
    .description('create an account; keys are made here and only leave inside your encrypted vault')
    .argument('<username>', '3–32 letters, digits, "_", "." or "-"')
    .option(DEVICE_NAME_FLAG, DEVICE_NAME_HELP)
    .action((username: string, opts: { deviceName?: string }) =>
      run(async (ctx: Ctx) => {
        const deviceName = opts.deviceName === undefined ? undefined : checkDeviceName(opts.deviceName);
        const password = await ctx.password(`Password for new account ${username}: `, true);
        ctx.out.info('deriving keys from your password (argon2id, 64 MiB)…');
        const session = await ctx.session(deviceName === undefined ? {} : { deviceName });
        const account = await session.account.register(username, password);
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
    .option(DEVICE_NAME_FLAG, DEVICE_NAME_HELP)
    .action((username: string, opts: { acceptKdfChange?: boolean; deviceName?: string }) =>
      run(async (ctx) => {
        const deviceName = opts.deviceName === undefined ? undefined : checkDeviceName(opts.deviceName);
        const password = await ctx.password(`Password for ${username}: `);
        ctx.out.info('deriving keys from your password (argon2id, 64 MiB)…');
        const session = await ctx.session(deviceName === undefined ? {} : { deviceName });
        const account = await session.account.login(username, password, {
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
        await s.account.logout();
        ctx.out.result({ logged_out: true }, () => (who ? `signed out ${who}` : 'not signed in'));
      }),
    );

  program
    .command('whoami')
    .description('who is signed in here, checked with the server')
    .action(() =>
      run(async (ctx) => {
        const me = await (await ctx.session()).account.whoami();
        ctx.out.result({ ...me, server: ctx.env.url, home: ctx.env.home }, () =>
          [`${me.username} (${me.id})`, `server   ${ctx.env.url}`, `identity ${me.identity_key}`].join('\n'),
        );
      }),
    );

  program
    .command('sessions')
    .description('where this account is signed in: its live sessions, oldest first ("*" marks this one)')
    .action(() =>
      run(async (ctx) => {
        const sessions = await (await ctx.session()).account.sessions();
        ctx.out.result({ sessions }, () =>
          sessions
            .map(
              (x) =>
                `${x.current ? '*' : ' '} ${x.id}  since ${x.created_at.slice(0, 16).replace('T', ' ')}  ` +
                `until ${x.expires_at.slice(0, 16).replace('T', ' ')}`,
            )
            .join('\n'),
        );
      }),
    );

  program
    .command('passwd')
    .description(
      'change your password (keys stay the same unless --rotate-keys; your other logins are signed out)',
    )
    .option(
      '--rotate-keys',
      'also make new identity keys (old ones stay in the vault; contacts see a key change)',
    )
    .action((opts: { rotateKeys?: boolean }) =>
      run(async (ctx) => {
        const s = await ctx.session();
        const current = await ctx.password('Current password: ');
        const next = await ctx.newPassword('New password: ');
        const rotateKeys = Boolean(opts.rotateKeys);
        ctx.out.info(
          rotateKeys
            ? 're-sealing your key vault under the new password, with new identity keys…'
            : 're-sealing your key vault under the new password…',
        );
        await s.account.changePassword(current, next, { rotateKeys });
        const identityKey = rotateKeys ? (await s.account.whoami()).identity_key : undefined;
        ctx.out.result(
          { changed: true, rotated_keys: rotateKeys, ...(identityKey ? { identity_key: identityKey } : {}) },
          () =>
            rotateKeys
              ? 'password changed and new identity keys published; other logins must sign in again.\n' +
                'Your contacts will see a key change: compare safety numbers with them again (`lockbox verify <user>`).'
              : 'password changed; other logins must sign in again',
        );
      }),
    );

  program
    .command('reset-identity')
    .description('make NEW identity keys for an account whose vault is lost (contacts will see a key change)')
    .argument('<username>')
    .option('--yes', 'do not ask for confirmation')
    .action((username: string, opts: { yes?: boolean }) =>
      run(async (ctx) => {
        const s = await ctx.session();
        const seen = await s.profile.vaultSeenByUsername(username);
        ctx.out.warn(
          'reset_identity',
          `resetting the identity of ${username} makes NEW identity keys. Your contacts will see a key change and ` +
            'must compare safety numbers with you again. Old messages stay readable only with the old keys: they ' +
            'are kept if your vault still opens, and lost if it does not.' +
            (seen
              ? ` This device saw a vault for ${username} on ${seen.last_seen.slice(0, 10)}: if the server now says ` +
                'there is none, it may be lying, and resetting abandons your old keys.'
              : ''),
        );
        if (
          !opts.yes &&
          !(await confirmOnTerminal(
            `Reset the identity of ${username}? [y/N] `,
            'reset-identity replaces your keys: add --yes to confirm (there is no terminal to ask)',
          ))
        ) {
          ctx.out.result({ reset: false }, () => 'nothing changed');
          return;
        }
        const password = await ctx.password(`Password for ${username}: `);
        ctx.out.info('deriving keys from your password (argon2id, 64 MiB)…');
        const account = await s.account.resetIdentity(username, password);
        const me = await s.account.whoami();
        ctx.out.result({ ...account, reset: true, identity_key: me.identity_key }, () =>
          [
            `new identity keys for ${account.username} (${account.user_id}); signed in`,
            `identity ${me.identity_key}`,
            'Tell your contacts: they will see a key change and should verify your new safety number.',
          ].join('\n'),
        );
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
        const account = await (await ctx.session()).account.upgrade(username, current, next);
        ctx.out.result(account, () => `${account.username} now has end-to-end keys; signed in`);
      }),
    );
};
