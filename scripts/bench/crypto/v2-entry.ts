/**
 * The entry of the v2 crypto bundle: one run with the options given as JSON
 * in argv[2] (the MLS kernel, or a step of the archive measurement by its
 * `mode`); the result is one JSON line on stdout.
 */
import {
  type ArchiveReadOptions,
  type ArchiveSealOptions,
  runArchiveRead,
  runArchiveSeal,
} from './archive-kernel';
import { runV2Kernel, type V2KernelOptions } from './v2-kernel';

const opts = JSON.parse(process.argv[2] ?? '{}') as V2KernelOptions | ArchiveSealOptions | ArchiveReadOptions;
const result =
  'mode' in opts
    ? opts.mode === 'archive-seal'
      ? runArchiveSeal(opts)
      : await runArchiveRead(opts)
    : await runV2Kernel(opts);
process.stdout.write(`${JSON.stringify(result)}\n`);
