/** Merging a contact's pin from two devices (vault copy and local copy). */
import { describe, expect, it } from 'vitest';
import type { Pin } from '../../src';
import { mergePins } from '../../src/session/pin-sync';

const pin = (key: string, pinnedAt: string, extra: Partial<Pin> = {}): Pin => ({
  user_id: 'usr_bob',
  identity_key: key,
  pinned_at: pinnedAt,
  verified: false,
  previous_keys: [],
  ...extra,
});

describe('mergePins', () => {
  it('keeps the first-used key when two devices pinned different keys', () => {
    const early = pin('K1', '2025-01-01T00:00:00Z');
    const late = pin('K2', '2025-02-01T00:00:00Z');
    expect(mergePins([late], [early])).toEqual([early]);
    expect(mergePins([early], [late])).toEqual([early]);
  });

  it('an accepted key change (old key among previous keys) wins over the old pin', () => {
    const old = pin('K1', '2025-01-01T00:00:00Z', { verified: true });
    const successor = pin('K2', '2025-03-01T00:00:00Z', {
      previous_keys: [{ key: 'K1', replaced_at: '2025-03-01T00:00:00Z' }],
    });
    expect(mergePins([old], [successor])).toEqual([successor]);
    expect(mergePins([successor], [old])).toEqual([successor]);
  });

  it('the same key: verified on either device stays verified, previous keys are united', () => {
    const a = pin('K2', '2025-01-01T00:00:00Z', {
      previous_keys: [{ key: 'K0', replaced_at: '2025-01-01T00:00:00Z' }],
    });
    const b = pin('K2', '2025-01-02T00:00:00Z', { verified: true });
    expect(mergePins([a], [b])).toEqual([{ ...a, verified: true }]);
  });

  it('pins of different contacts are all kept', () => {
    const bob = pin('K1', '2025-01-01T00:00:00Z');
    const carol = { ...pin('K9', '2025-01-01T00:00:00Z'), user_id: 'usr_carol' };
    expect(mergePins([bob], [carol])).toEqual([bob, carol]);
  });
});
