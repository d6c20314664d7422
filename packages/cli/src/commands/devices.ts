/** devices (list), devices revoke, devices archive: this account's devices and its history archive. */
import type { DeviceView } from '@lockbox/client';
import { ZDeviceId } from '@lockbox/contracts';
import type { Command } from 'commander';
import { confirmOnTerminal } from '../confirm';
import { CliError } from '../output';
import type { Run } from '../run';
import { readyDevicesOf } from '../session-devices';

const day = (iso: string | null) => (iso ? iso.slice(0, 16).replace('T', ' ') : 'never');

export const deviceTable = (devices: DeviceView[]): string => {
  const rows = devices.map((d) => [
    d.current ? '*' : ' ',
    d.name,
    d.device_id,
    day(d.added_at),
    day(d.last_seen_at),
    d.current ? 'this device' : '',
  ]);
  const head = [' ', 'NAME', 'ID', 'ADDED', 'LAST SEEN', ''];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  return [head, ...rows]
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i] as number))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
};

const ARCHIVE_OFF_WARNING =
  'Turning the history archive off gives strict forward secrecy: once every device has read a message and ' +
  'deleted its keys, nothing anywhere can decrypt it again. The price: a device you add later starts with an ' +
  'empty end-to-end v2 history (it cannot read anything sent before it existed), and the server deletes the ' +
  'archive it holds now. Older (v1) messages are not affected.';

export const deviceCommands = (program: Command, run: Run) => {
  const devices = program
    .command('devices')
    .description(
      'the devices of your account (each has its own keys; "this device" is this LOCKBOX_HOME); `devices revoke`, `devices archive`',
    );

  const list = () =>
    run(async (ctx) => {
      const d = await readyDevicesOf(await ctx.session());
      const all = await d.list();
      ctx.out.result({ devices: all }, () => (all.length ? deviceTable(all) : 'no devices listed yet'));
    });
  devices.action(list);
  devices
    .command('list')
    .description(
      'name, id, when added (signed list), when last seen (the server says), which one is this device',
    )
    .action(list);

  devices
    .command('revoke')
    .description(
      'remove a device: it is signed out at once and removed from every conversation, so it gets nothing sent after that',
    )
    .argument('<id>', 'the device id (dev_…) from `lockbox devices`')
    .option('--yes', 'do not ask for confirmation')
    .action((id: string, opts: { yes?: boolean }) =>
      run(async (ctx) => {
        if (!ZDeviceId.safeParse(id).success)
          throw new CliError(
            'bad_device_id',
            `"${id}" is not a device id: they look like dev_… (see \`lockbox devices\`)`,
          );
        const d = await readyDevicesOf(await ctx.session());
        if (id === (await d.current()).device_id)
          throw new CliError(
            'current_device',
            'that is this device, and a device cannot revoke itself: run `lockbox devices revoke <id>` on another of your devices (`lockbox logout` only signs this one out)',
          );
        const target = (await d.list()).find((x) => x.device_id === id);
        if (!target)
          throw new CliError(
            'unknown_device',
            `no device ${id} on your device list (see \`lockbox devices\`)`,
          );
        if (
          !opts.yes &&
          !(await confirmOnTerminal(
            `Revoke "${target.name}" (${id})? It is signed out and gets no new messages. [y/N] `,
            'revoking a device cannot be undone: add --yes to confirm (there is no terminal to ask)',
          ))
        ) {
          ctx.out.result({ revoked: false }, () => 'nothing changed');
          return;
        }
        await d.revoke(id);
        ctx.out.result({ revoked: true, device_id: id, name: target.name }, () =>
          [
            `revoked "${target.name}" (${id}): it is signed out and removed from your conversations.`,
            'Its id can never be used again; to use that machine again, sign in there from a fresh LOCKBOX_HOME (a new device).',
          ].join('\n'),
        );
      }),
    );

  devices
    .command('archive')
    .description(
      'the encrypted history archive that lets a new device read messages sent before it existed: shows the setting, or turns it on / off',
    )
    .argument('[setting]', '"on" or "off"; without it, shows the current setting')
    .option('--yes', 'do not ask for confirmation when turning it off')
    .action((setting: string | undefined, opts: { yes?: boolean }) =>
      run(async (ctx) => {
        if (setting !== undefined && setting !== 'on' && setting !== 'off')
          throw new CliError('bad_setting', `"${setting}" is not a setting: use \`on\` or \`off\``);
        const d = await readyDevicesOf(await ctx.session());
        const now = await d.archiveEnabled();
        const describe = (on: boolean) =>
          on
            ? 'history archive: on (new devices read your whole history; it is encrypted, the server cannot read it)'
            : 'history archive: off (strict forward secrecy: new devices do not get earlier v2 messages)';
        if (setting === undefined) {
          ctx.out.result({ archive: now }, () => describe(now));
          return;
        }
        const want = setting === 'on';
        if (want === now) {
          ctx.out.result({ archive: now, changed: false }, () => `${describe(now)}; nothing changed`);
          return;
        }
        if (!want) {
          ctx.out.warn('archive_off', ARCHIVE_OFF_WARNING);
          if (
            !opts.yes &&
            !(await confirmOnTerminal(
              'Turn the history archive off and delete it? [y/N] ',
              'turning the archive off deletes it: add --yes to confirm (there is no terminal to ask)',
            ))
          ) {
            ctx.out.result({ archive: now, changed: false }, () => 'nothing changed');
            return;
          }
        }
        await d.setArchive(want);
        ctx.out.result({ archive: want, changed: true }, () =>
          want
            ? `${describe(true)}. Messages from now on are archived; what was sent while it was off is not.`
            : describe(false),
        );
      }),
    );
};
