/**
 * `--profile`: the bench's Node servers run under `--cpu-prof`; after the
 * rounds they are stopped (which writes the profiles) and each one's hot spots
 * become a report section. Profiling slows the servers, so such a run's ratios
 * are for finding where time goes, not for judging a goal.
 */
import path from 'node:path';
import type { RunRecord } from './alternate';
import { mainThreadProfile, profileSection, summarizeProfile } from './cpu-profile';
import { stopAll } from './processes';

export const PROFILE_NOTE =
  '> ⚠️ Profiled run (`--profile`): the Node servers ran under `--cpu-prof`, which slows them; use the ratios of an unprofiled run.';

/**
 * One section per profiled process and per target it served: only the samples
 * taken while wrk ran against that target count (start-up, warm-up and the
 * other targets' runs are left out).
 */
export const profilesReport = async (
  profileDir: string,
  servedBy: { process: string; targets: string[] }[],
  records: RunRecord[],
): Promise<string> => {
  await stopAll();
  const sections = servedBy.flatMap(({ process: name, targets }) => {
    const file = mainThreadProfile(path.join(profileDir, name));
    return targets.map((target) => {
      const runs = records.filter((r) => r.target === target);
      const requests = runs.reduce((a, r) => a + r.wrk.requests, 0);
      return file
        ? profileSection(
            `${name} serving “${target}”`,
            summarizeProfile(
              file,
              runs.map((r) => r.window),
            ),
            requests,
          )
        : `### ${name}: no profile written`;
    });
  });
  return [
    '## CPU profiles (`--profile`)',
    'Self time per function and per package/file, as shares of the process’s busy (non-idle) time while wrk ran against the target.',
    ...sections,
  ].join('\n\n');
};
