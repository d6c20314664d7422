/**
 * The order in which the root `vitest run` hands test files to its two workers.
 *
 * Vitest's own order needs its results cache, which a fresh clone (CI) does not
 * have: it then orders files by size. A file's size says little about its cost
 * here: a short end-to-end file starts a whole stack, a browser or network
 * namespaces, while a long unit file is done in a second. When a heavy file is
 * picked last, one worker runs it alone while the other sits idle, and the run
 * is as long as that tail.
 *
 * So the known-heavy files go first, heaviest first (longest-processing-time
 * scheduling): the cheap files come last and fill in around them, and the two
 * workers finish close together. The list is a ranking, not a set of timings;
 * a file it does not name keeps vitest's order after the named ones. Re-rank
 * it with scripts/test-schedule.ts (it reads a run's console log) when heavy
 * files are added or get lighter; it may name files that do not exist yet (a
 * glob that matches nothing costs nothing).
 */
import path from 'node:path';
import picomatch from 'picomatch';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** Globs relative to the repository root, heaviest first. */
export const HEAVY_FIRST: readonly string[] = [
  // Several hosts in network namespaces, each with its own processes.
  'packages/blackbox/test/multihost/**/*.test.ts',
  // Runs on every engine under test, restarts realtime, spawns the CLI per command.
  'packages/cli/test/e2e.test.ts',
  // Chromium against a hostile server in front of a whole stack.
  'packages/web/test/hostile-*.e2e.test.ts',
  // The SDK's own end-to-end suite and its hostile-server suites (argon2id per login).
  'packages/client/test/integration/session.test.ts',
  // E2E v2 through the session: a thousand MLS sends then an archive read; six devices and a realtime kill.
  'packages/client/test/integration/v2-late-device.test.ts',
  'packages/client/test/integration/v2-*.test.ts',
  'packages/client/test/hostile/identity.test.ts',
  'packages/client/test/hostile/request-notes.test.ts',
  // The CLI against a hostile server: a child process (and argon2id) per command.
  'packages/cli/test/hostile-*.test.ts',
  // Builds the web app of its own, then a stack.
  'packages/cli/test/verify-web.test.ts',
  // Development mode: watchers that restart services.
  'packages/blackbox/test/ops/**/*.test.ts',
  // Kills, stalls and cuts processes and their databases, waiting for recovery.
  'packages/blackbox/test/faults/*.test.ts',
  'packages/blackbox/test/observability/**/*.test.ts',
  // Per-engine stacks with many procedures each.
  'packages/auth-service/test/contract.test.ts',
  'packages/auth-service/test/through-gateway.test.ts',
  'packages/client/test/browser/*.test.ts',
  'packages/client/test/hostile/*.test.ts',
  'packages/web/test/*.e2e.test.ts',
  'packages/client/test/integration/*.test.ts',
  // Everything else that starts a stack of real processes.
  'packages/auth-service/test/*.test.ts',
  'packages/message-service/test/*.test.ts',
  'packages/realtime-service/test/integration/*.test.ts',
  'packages/blackbox/test/*.test.ts',
  // Migrations racing on real databases.
  'packages/service-kit/test/migrations.test.ts',
  // Unit files that are all CPU: argon2id at the production cost against a pure-JS reference, and
  // replay windows filled to their bound. Named so a small file size does not leave them for last.
  'packages/client/test/crypto/account-keys.test.ts',
  'packages/client/test/unit/replay.test.ts',
];

/** The index of the first glob `file` (repository-relative) matches; unnamed files rank after all. */
export const heavinessRank = (file: string, globs: readonly string[] = HEAVY_FIRST): number => {
  const index = globs.findIndex((glob) => picomatch(glob)(file));
  return index === -1 ? globs.length : index;
};

export default class HeavyFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const root = this.ctx.config.root;
    // Vitest's order (its cache, else size) breaks ties within a rank: a stable sort keeps it.
    const ranked = (await super.sort(files)).map((spec, order) => ({
      spec,
      order,
      rank: heavinessRank(path.relative(root, spec.moduleId).split(path.sep).join('/')),
    }));
    ranked.sort((a, b) => a.rank - b.rank || a.order - b.order);
    return ranked.map(({ spec }) => spec);
  }
}
