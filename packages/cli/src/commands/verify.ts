/**
 * verify: safety numbers, marking a contact verified, accepting a changed key.
 * After a key change (or a username now listed under another account) the
 * CANDIDATE number over the new key is shown first, and `--accept-new-key`
 * then accepts exactly the key that number was computed over.
 */
import { CryptoError, type LockboxSession, type SafetyNumberInfo } from '@lockbox/client';
import type { Command } from 'commander';
import type { Ctx } from '../context';
import { reportFailure } from '../output';
import type { Run } from '../run';

/** The errors after which there is a new key (or id) to compare and, perhaps, accept. */
const isPendingChange = (err: unknown) =>
  err instanceof CryptoError && (err.code === 'key_changed' || err.code === 'identity_changed');

const numberLines = (sn: SafetyNumberInfo) => sn.text.split('\n').map((l) => `  ${l}`);

const legacyNote = (sn: SafetyNumberInfo) =>
  sn.legacyBundle
    ? [
        '',
        `note: ${sn.contact.username}'s keys are a legacy (version 1) bundle that does not sign their username; it is upgraded when they next sign in`,
      ]
    : [];

/** Shows the number over the directory's new key, remembers which key it was, accepts nothing. */
const showCandidate = async (ctx: Ctx, s: LockboxSession, user: string) => {
  const me = s.user?.user_id as string;
  const sn = await s.verification.candidateSafetyNumber(user);
  await s.profile.setShownCandidate(me, sn.contact.id, sn.identityKey);
  const name = sn.contact.username;
  ctx.out.result(
    {
      user: sn.contact,
      safety_number: sn.groups.join(' '),
      groups: sn.groups,
      verified: false,
      candidate: true,
      accepted: false,
      legacy_bundle: sn.legacyBundle,
    },
    () =>
      [
        `NEW safety number with ${name} (NOT accepted yet):`,
        '',
        ...numberLines(sn),
        ...legacyNote(sn),
        '',
        `Ask ${name} (in person or on a call) whether they reset their account and read these digits to each other.`,
        `Only if they match: \`lockbox verify ${name} --accept-new-key\`. Until then nothing is sent to or accepted from this key.`,
      ].join('\n'),
  );
  // Not a success a script may build on: the change is still pending.
  process.exitCode = 1;
};

export const verifyCommands = (program: Command, run: Run) => {
  program
    .command('verify')
    .description(
      'show the safety number you and a contact compare (in person or on a call); both must see the same digits',
    )
    .argument('<user>', 'username or user id')
    .option('--confirm', 'record that you compared the numbers and they matched')
    .option(
      '--accept-new-key',
      "trust the contact's new identity key, exactly the one whose number `lockbox verify <user>` showed",
    )
    .action((user: string, opts: { confirm?: boolean; acceptNewKey?: boolean }) =>
      run(async (ctx) => {
        if (opts.acceptNewKey && opts.confirm) {
          // Confirming in the same breath as accepting would vouch for digits nobody compared yet.
          reportFailure(ctx.out, {
            code: 'usage',
            message:
              '--accept-new-key and --confirm cannot be combined: accept the new key first, compare the new safety number, then run --confirm',
          });
          process.exitCode = 2;
          return;
        }
        const s = await ctx.session();
        const me = s.user?.user_id as string;
        if (opts.acceptNewKey) {
          const candidate = await s.verification.candidateSafetyNumber(user);
          const shown = await s.profile.shownCandidate(me, candidate.contact.id);
          if (!candidate.changed) {
            ctx.out.info(`the key of ${candidate.contact.username} is already the accepted one`);
          } else if (shown !== candidate.identityKey) {
            // Never accept a key whose number the user has not seen.
            ctx.out.info(
              'the new key was not shown to you yet (or changed since): compare this number first',
            );
            return showCandidate(ctx, s, user);
          } else {
            await s.verification.acceptNewKey(user, candidate.identityKey);
            await s.profile.setShownCandidate(me, candidate.contact.id, undefined);
            ctx.out.info(`accepted the new key of ${candidate.contact.username}`);
          }
        }
        if (opts.confirm) await s.verification.markVerified(user);
        const sn = await s.verification.safetyNumber(user).catch((err) => {
          if (isPendingChange(err)) return undefined;
          throw err;
        });
        if (!sn) return showCandidate(ctx, s, user);
        ctx.out.result(
          {
            user: sn.contact,
            safety_number: sn.groups.join(' '),
            groups: sn.groups,
            verified: sn.verified,
            legacy_bundle: sn.legacyBundle,
          },
          () =>
            [
              `safety number with ${sn.contact.username}:`,
              '',
              ...numberLines(sn),
              ...legacyNote(sn),
              '',
              sn.verified
                ? 'verified: you confirmed these digits match'
                : `not verified yet: if ${sn.contact.username} sees the same digits, run \`lockbox verify ${sn.contact.username} --confirm\``,
            ].join('\n'),
        );
      }),
    );
};
