/** verify: safety numbers, marking a contact verified, accepting a changed key. */
import type { Command } from 'commander';
import type { Run } from '../run';

export const verifyCommands = (program: Command, run: Run) => {
  program
    .command('verify')
    .description(
      'show the safety number you and a contact compare (in person or on a call); both must see the same digits',
    )
    .argument('<user>', 'username or user id')
    .option('--confirm', 'record that you compared the numbers and they matched')
    .option('--accept-new-key', "trust the contact's new identity key after a key-change warning")
    .action((user: string, opts: { confirm?: boolean; acceptNewKey?: boolean }) =>
      run(async (ctx) => {
        const s = await ctx.session();
        if (opts.acceptNewKey) {
          await s.acceptNewKey(user);
          ctx.out.info(`accepted the new key of ${user}; compare the new safety number below`);
        }
        if (opts.confirm) await s.markVerified(user);
        const sn = await s.safetyNumber(user);
        ctx.out.result(
          { user: sn.contact, safety_number: sn.groups.join(' '), groups: sn.groups, verified: sn.verified },
          () =>
            [
              `safety number with ${sn.contact.username}:`,
              '',
              ...sn.text.split('\n').map((l) => `  ${l}`),
              '',
              sn.verified
                ? 'verified: you confirmed these digits match'
                : `not verified yet: if ${sn.contact.username} sees the same digits, run \`lockbox verify ${sn.contact.username} --confirm\``,
            ].join('\n'),
        );
      }),
    );
};
