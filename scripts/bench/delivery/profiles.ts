/** `--profile`: LockBox's processes' CPU profiles, sampled only while LockBox's steps sent. */
import path from 'node:path';
import { mainThreadProfile, profileSection, summarizeProfile, type Windows } from '../lib/cpu-profile';
import { stopAll } from '../lib/processes';
import type { StepResult } from './step';

/** Stops every process (which is what writes the profiles) and renders the section. */
export const profilesSection = async (workDir: string, results: StepResult[]): Promise<string> => {
  await stopAll();
  const runs = results.filter((r) => r.target === 'LockBox');
  const windows: Windows = runs.map((r) => r.window);
  const committedAll = runs.reduce((a, r) => a + r.committed, 0);
  return [
    '## CPU profiles (`--profile`)',
    "Self time per function and per package/file while LockBox's steps sent; µs per committed message.",
    ...['gateway', 'messages', 'realtime', 'auth'].map((name) => {
      const file = mainThreadProfile(path.join(workDir, 'profiles', name));
      return file
        ? profileSection(name, summarizeProfile(file, windows, 25), committedAll)
        : `### ${name}: no profile written`;
    }),
  ].join('\n\n');
};
