/** Prefixed random ids. */
import { describe, expect, it } from 'vitest';
import { ID_PREFIXES, type IdKind, newId, ZUserId, zId } from '../src/ids';

describe('newId', () => {
  it.each(Object.keys(ID_PREFIXES) as IdKind[])(
    '%s ids carry their prefix and 26 Crockford characters',
    (kind) => {
      const id = newId(kind);
      expect(id).toMatch(new RegExp(`^${ID_PREFIXES[kind]}_[0-9a-hjkmnp-tv-z]{26}$`));
      expect(zId(kind).safeParse(id).success).toBe(true);
    },
  );

  it('does not repeat, and uses the whole alphabet in every position', () => {
    const ids = Array.from({ length: 5_000 }, () => newId('message'));
    expect(new Set(ids).size).toBe(ids.length);
    const bodies = ids.map((id) => id.slice(4));
    // The first character carries only 2 + 3 bits of entropy (values 0-31 all reachable);
    // every later one is uniform over 32 symbols.
    for (let pos = 0; pos < 26; pos++) expect(new Set(bodies.map((b) => b[pos])).size).toBe(32);
  });
});

describe('zId', () => {
  const good = newId('user');
  it.each([
    ['another kind', newId('session')],
    ['upper case', good.toUpperCase()],
    ['too short', good.slice(0, -1)],
    ['too long', `${good}a`],
    ['ambiguous letters', `usr_${'i'.repeat(26)}`],
    ['path tricks', 'usr_../../../../etc/passwd0000'],
    ['a NUL', `${good.slice(0, -1)}\u0000`],
    ['a number', 123],
    ['null', null],
    ['an array', [good]],
  ])('refuses %s', (_what, value) => {
    expect(ZUserId.safeParse(value).success).toBe(false);
  });
});
