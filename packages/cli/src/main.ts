/**
 * `lockbox`: end-to-end encrypted LockBox chat from a terminal.
 * Settings: LOCKBOX_HOME (default ~/.lockbox), LOCKBOX_URL (default
 * http://localhost:8000), LOCKBOX_PASSWORD (non-interactive use).
 */
import { Command } from 'commander';
import { accountCommands } from './commands/account';
import { contactCommands } from './commands/contacts';
import { deviceCommands } from './commands/devices';
import { messageCommands } from './commands/messages';
import { verifyCommands } from './commands/verify';
import { verifyWebCommands } from './commands/verify-web';
import { createRunner } from './run';

const program = new Command()
  .name('lockbox')
  .description(
    'End-to-end encrypted chat. LOCKBOX_URL: server; LOCKBOX_HOME: where keys live; LOCKBOX_PASSWORD: non-interactive password',
  )
  .option('--json', 'machine-readable output (errors too, on stderr)')
  .showHelpAfterError();

const run = createRunner(() => Boolean(program.opts<{ json?: boolean }>().json));
accountCommands(program, run);
contactCommands(program, run);
messageCommands(program, run);
deviceCommands(program, run);
verifyCommands(program, run);
verifyWebCommands(program, run);

await program.parseAsync(process.argv);
