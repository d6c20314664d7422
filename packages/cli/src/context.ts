/** What every command gets: settings, output, the session (opened lazily) and password input. */
import type { LockboxSession } from '@lockbox/client';
import { openNodeSession } from '@lockbox/client/node';
import { defaultDeviceName } from './device-name';
import type { CliEnv } from './env';
import type { Output } from './output';
import { promptHidden } from './prompt';

export interface Ctx {
  env: CliEnv;
  out: Output;
  /**
   * The session, opened on first use. `deviceName` names this device when the session
   * creates it (login, register); an existing device keeps its name.
   */
  session(opts?: { deviceName?: string }): Promise<LockboxSession>;
  /** LOCKBOX_PASSWORD, or a prompt without echo (asked twice when `confirm`). */
  password(question: string, confirm?: boolean): Promise<string>;
  /** LOCKBOX_NEW_PASSWORD, or a prompt without echo, asked twice. */
  newPassword(question: string): Promise<string>;
  /** id → username for everyone this account knows (itself and its contacts). */
  names(): Promise<(id: string) => string>;
}

export const createCtx = (env: CliEnv, out: Output): Ctx => {
  let opened: Promise<LockboxSession> | undefined;
  const ctx: Ctx = {
    env,
    out,
    session(opts = {}) {
      opened ??= openNodeSession({
        baseUrl: env.url,
        dir: env.home,
        deviceName: opts.deviceName ?? defaultDeviceName(),
        protocol: env.protocol,
      }).then((s) => {
        s.events.on('key_changed', (e) =>
          out.warn(
            'key_changed',
            `the identity key of ${e.username ?? e.userId} has CHANGED${e.wasVerified ? ' (you had verified the old one)' : ''}. ` +
              'Messages from the new key are refused. Compare safety numbers with `lockbox verify ' +
              `${e.username ?? e.userId}\`, then accept with \`lockbox verify ${e.username ?? e.userId} --accept-new-key\` if they match.`,
            { user_id: e.userId, seen_in: e.seenIn },
          ),
        );
        s.events.on('identity_changed', (e) => {
          const who =
            e.reason === 'username_moved'
              ? `the server now lists "${e.username}" as another account (${e.userId}) than the one you pinned (${e.pinnedUserId})`
              : `the server lists ${e.userId} as "${e.username}", but that account is "${e.actualUsername}"`;
          out.warn(
            'identity_changed',
            `${who}${e.wasVerified ? ' (you had verified the one you pinned)' : ''}. Nothing is sent to or accepted from it. ` +
              (e.reason === 'username_moved'
                ? `If ${e.username} really has a new account, compare the new safety number with \`lockbox verify ${e.username}\`.`
                : 'This is not who it claims to be.'),
            { user_id: e.userId, username: e.username, reason: e.reason, seen_in: e.seenIn },
          );
        });
        return s;
      });
      return opened;
    },
    async password(question, confirm = false) {
      if (env.password) return env.password;
      const first = await promptHidden(question);
      if (confirm && (await promptHidden('Repeat password: ')) !== first)
        throw new Error('passwords do not match');
      return first;
    },
    async newPassword(question) {
      if (env.newPassword) return env.newPassword;
      const first = await promptHidden(question);
      if ((await promptHidden('Repeat new password: ')) !== first) throw new Error('passwords do not match');
      return first;
    },
    async names() {
      const s = await ctx.session();
      const map = new Map<string, string>();
      if (s.user) map.set(s.user.user_id, s.user.username);
      for (const c of await s.contacts.list()) map.set(c.id, c.username);
      return (id) => map.get(id) ?? id;
    },
  };
  return ctx;
};
