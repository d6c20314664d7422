/**
 * @lockbox/client/testing — for tests only: sessions with a deterministic
 * RandomSource (known-answer tests, reproducible fixtures). Never import this
 * from an app: it replaces the CSPRNG every key, nonce and message id comes from.
 */
import type { RandomSource } from './crypto';
import { LockboxSession, type SessionOptions } from './session/session';
import { registerTestRandom } from './session/test-random';

/** Opens a session whose random bytes all come from `random`. */
export const openSessionWithRandom = (
  options: SessionOptions,
  random: RandomSource,
): Promise<LockboxSession> => {
  const own = { ...options };
  registerTestRandom(own, random);
  return LockboxSession.open(own);
};
