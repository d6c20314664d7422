/**
 * The entry of the v2 crypto bundle: one run of the kernel with the options
 * given as JSON in argv[2]; the result is one JSON line on stdout.
 */
import { runV2Kernel, type V2KernelOptions } from './v2-kernel';

const opts = JSON.parse(process.argv[2] ?? '{}') as V2KernelOptions;
const result = await runV2Kernel(opts);
process.stdout.write(`${JSON.stringify(result)}\n`);
