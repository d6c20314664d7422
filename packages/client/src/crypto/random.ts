/**
 * Where every random byte comes from. Production uses the platform CSPRNG
 * (crypto.getRandomValues via noble); the known-answer tests inject a
 * deterministic source so the envelope vectors are reproducible.
 */
import { randomBytes } from '@noble/hashes/utils.js';

export type RandomSource = (length: number) => Uint8Array;

export const systemRandom: RandomSource = (length) => randomBytes(length);
