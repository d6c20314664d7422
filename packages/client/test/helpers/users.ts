/** Test identities: deterministic, with plausible user ids. */
import { generateIdentity, type Identity } from '../../src/crypto';
import { seededRandom } from './seeded-random';

export interface TestUser {
  userId: string;
  identity: Identity;
}

export const testUser = (name: string, seed = name): TestUser => ({
  userId: `usr_${name.padEnd(26, '0').slice(0, 26)}`,
  identity: generateIdentity(seededRandom(`identity:${seed}`), new Date('2025-01-01T00:00:00.000Z')),
});
