/**
 * The v2 part of bench:crypto: builds the bundle, then runs it several times
 * (one fresh process each), noting what the rest of the machine did during
 * each run; then the archive read (archive-read.ts) on the same bundle.
 */
import { table } from '../lib/markdown';
import { type MachineLoad, withMachineLoad } from '../lib/proc-stats';
import { type ArchiveOptions, type ArchiveReadResult, measureArchiveRead } from './archive-read';
import { archiveGoalRow, archiveSection } from './archive-report';
import { buildV2Bundle, runV2Bundle } from './v2-bundle';
import type { V2KernelOptions, V2KernelResult } from './v2-kernel';

export interface V2Run {
  result: V2KernelResult;
  load: MachineLoad;
}

export interface V2Runs {
  options: V2KernelOptions;
  runs: V2Run[];
  archive: ArchiveReadResult;
}

export const runV2 = async (
  workDir: string,
  runs: number,
  options: V2KernelOptions,
  archive: ArchiveOptions | undefined,
  progress: (m: string) => void,
): Promise<V2Runs> => {
  progress('v2: bundling the SDK and @lockbox/mls with esbuild…');
  const bundle = await buildV2Bundle(workDir);
  const out: V2Run[] = [];
  for (let i = 0; i < runs; i++) {
    progress(`v2: run ${i + 1}/${runs} (plain node on the bundle)…`);
    const [result, load] = await withMachineLoad(() => runV2Bundle(bundle, options));
    out.push({ result, load });
  }
  return {
    options,
    runs: out,
    archive:
      archive === undefined
        ? { status: 'skipped', why: 'not run (--no-archive)' }
        : await measureArchiveRead(bundle, workDir, archive, progress),
  };
};

/** The archive read alone (`--only-archive`): its goal row and its section, on a bundle of its own. */
export const archiveOnlySection = async (
  workDir: string,
  archive: ArchiveOptions,
  progress: (m: string) => void,
): Promise<string> => {
  progress('archive: bundling the SDK with esbuild…');
  const bundle = await buildV2Bundle(workDir);
  const result = await measureArchiveRead(bundle, workDir, archive, progress);
  return [
    '## v2: the history archive',
    '',
    table(['issue 12 goal', 'measured (median of runs, lowest–highest)', 'goal'], [archiveGoalRow(result)]),
    '',
    archiveSection(result),
  ].join('\n');
};
