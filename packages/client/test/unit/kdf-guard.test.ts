/** What a client accepts from prelogin: floor, ceiling, and what this device remembers. */
import type { TClientKdf, TPreloginResponse } from '@lockbox/contracts';
import { describe, expect, it } from 'vitest';
import { SessionError } from '../../src';
import { checkKdfAgainstMemory, checkKdfPolicy } from '../../src/session/kdf-guard';
import { Profile } from '../../src/session/profile';
import { MemoryStore } from '../../src/store/memory';

const honest: TPreloginResponse = {
  algorithm: 'argon2id',
  salt: 'q6urq6urq6urq6urq6urqw==',
  memory_kib: 65_536,
  iterations: 3,
  parallelism: 1,
  version: 2,
};

const codeOf = (fn: () => void) => {
  try {
    fn();
  } catch (err) {
    if (err instanceof SessionError) return err.code;
    throw err;
  }
  return 'accepted';
};

describe('KDF floor and ceiling', () => {
  it.each([
    ['the SDK default', {}, 'accepted'],
    ['the ceiling', { memory_kib: 1_048_576, iterations: 16 }, 'accepted'],
    ['1 MiB, 1 pass', { memory_kib: 1024, iterations: 1 }, 'kdf_refused'],
    ['one KiB below 64 MiB', { memory_kib: 65_535 }, 'kdf_refused'],
    ['2 passes', { iterations: 2 }, 'kdf_refused'],
    ['above 1 GiB', { memory_kib: 1_048_577 }, 'kdf_refused'],
    ['17 passes', { iterations: 17 }, 'kdf_refused'],
    ['2 lanes', { parallelism: 2 }, 'kdf_refused'],
  ])('%s → %s', (_label, change, expected) => {
    expect(codeOf(() => checkKdfPolicy({ ...honest, ...change }))).toBe(expected);
  });
});

describe('KDF device memory', () => {
  const check = (answer: TClientKdf, remembered: TClientKdf | undefined, accept = false) =>
    codeOf(() => checkKdfAgainstMemory('alice', answer, remembered, { acceptKdfChange: accept }));

  it('accepts the first answer and the same answer again', () => {
    expect(check(honest, undefined)).toBe('accepted');
    expect(check(honest, { ...honest })).toBe('accepted');
  });

  it.each([
    ['a new salt', { salt: 'AAAAAAAAAAAAAAAAAAAAAA==' }],
    ['more memory', { memory_kib: 131_072 }],
    ['more passes', { iterations: 4 }],
  ])('refuses %s it did not make (kdf_changed), unless the user accepts it', (_label, change) => {
    expect(check({ ...honest, ...change }, honest)).toBe('kdf_changed');
    expect(check({ ...honest, ...change }, honest, true)).toBe('accepted');
  });

  it('refuses going back to the legacy salt, even when told to accept changes', () => {
    expect(check({ ...honest, version: 1 }, honest)).toBe('kdf_changed');
    expect(check({ ...honest, version: 1 }, honest, true)).toBe('kdf_changed');
    // Forward (a legacy account the device saw migrate elsewhere) is a change like any other.
    expect(check(honest, { ...honest, version: 1 })).toBe('kdf_changed');
  });

  it('is kept per lowercase username and survives sign-out', async () => {
    const profile = new Profile(new MemoryStore());
    await profile.rememberKdf('Alice', honest);
    await profile.signOut('usr_whoever');
    expect(await profile.rememberedKdf('alice')).toEqual(honest);
    expect(await profile.rememberedKdf('bob')).toBeUndefined();
    // A name that is no store key (login accepts any text) is hashed into one.
    await profile.rememberKdf('Ålice smith', { ...honest, version: 1 });
    expect(await profile.rememberedKdf('ålice SMITH')).toEqual({ ...honest, version: 1 });
  });
});
