/**
 * The one way to give a session a RandomSource other than the platform CSPRNG:
 * a registry only `@lockbox/client/testing` writes to. Known-answer tests need
 * deterministic bytes; an app must never be able to pass a weak generator by
 * accident, so SessionOptions has no `random` field and the main entry does
 * not export this module.
 */
import type { RandomSource } from '../crypto';

const overrides = new WeakMap<object, RandomSource>();

export const registerTestRandom = (options: object, random: RandomSource): void => {
  overrides.set(options, random);
};

export const testRandomFor = (options: object): RandomSource | undefined => overrides.get(options);
