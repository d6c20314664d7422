/**
 * Keeps the pinned contact keys in the vault as well as on the device, so a
 * new device (a fresh LOCKBOX_HOME, another browser) keeps trust-on-first-use
 * state instead of trusting whatever the directory says on its first day.
 *
 * Every write carries the next vault counter and is refused on top of a
 * vault older than this device saw (session/vault-freshness.ts).
 *
 * Merging two copies of one contact's pin: a pin that lists the other's key
 * among its previous keys is its deliberate successor (an accepted key
 * change) and wins; otherwise the earlier pin wins (first use is what TOFU
 * trusts). `verified` survives when both name the same key; previous keys are
 * united.
 */
import type { LockboxTrpc } from '../api/client';
import { call, LockboxApiError } from '../api/errors';
import { openVaultContents, type RandomSource, sealVault } from '../crypto';
import { type Pin, type Profile, ZPin } from './profile';
import { checkVaultFresh, nextVaultCounter, rememberVault } from './vault-freshness';

const mergeOne = (a: Pin, b: Pin): Pin => {
  if (a.identity_key === b.identity_key) {
    const previous = [...a.previous_keys];
    for (const p of b.previous_keys) if (!previous.some((q) => q.key === p.key)) previous.push(p);
    const first = Date.parse(a.pinned_at) <= Date.parse(b.pinned_at) ? a : b;
    return { ...first, verified: a.verified || b.verified, previous_keys: previous };
  }
  if (a.previous_keys.some((p) => p.key === b.identity_key)) return a;
  if (b.previous_keys.some((p) => p.key === a.identity_key)) return b;
  return Date.parse(a.pinned_at) <= Date.parse(b.pinned_at) ? a : b;
};

export const mergePins = (...sets: Pin[][]): Pin[] => {
  const byUser = new Map<string, Pin>();
  for (const pin of sets.flat()) {
    const seen = byUser.get(pin.user_id);
    byUser.set(pin.user_id, seen ? mergeOne(seen, pin) : pin);
  }
  return [...byUser.values()].sort((x, y) => (x.user_id < y.user_id ? -1 : 1));
};

export const parsePins = (records: unknown[]): Pin[] =>
  records.flatMap((r) => {
    const parsed = ZPin.safeParse(r);
    return parsed.success ? [parsed.data] : [];
  });

const same = (a: Pin[], b: Pin[]) => JSON.stringify(a) === JSON.stringify(b);

export class PinSync {
  #chain: Promise<void> = Promise.resolve();

  readonly #trpc: LockboxTrpc;
  readonly #profile: Profile;
  readonly #random: RandomSource;

  constructor(trpc: LockboxTrpc, profile: Profile, random: RandomSource) {
    this.#trpc = trpc;
    this.#profile = profile;
    this.#random = random;
  }

  /** Writes pins from the vault into this device's store, merged with what is here. */
  async importPins(me: string, records: unknown[]): Promise<void> {
    const local = await this.#profile.pins(me);
    for (const pin of mergePins(local, parsePins(records))) {
      const here = local.find((p) => p.user_id === pin.user_id);
      if (!here || !same([here], [pin])) await this.#profile.setPin(me, pin);
    }
  }

  /**
   * Merges this device's pins into the vault (serialised; retried when another
   * device wrote the vault meanwhile). Best-effort: a failure leaves the pins on
   * the device, and the next push carries them.
   */
  push(me: string): Promise<void> {
    this.#chain = this.#chain.then(() => this.#pushNow(me)).catch(() => undefined);
    return this.#chain;
  }

  async #pushNow(me: string): Promise<void> {
    const key = await this.#profile.vaultKey(me);
    if (!key) return;
    for (let attempt = 0; attempt < 3; attempt++) {
      const stored = await call(() => this.#trpc.vault.get.query());
      if (!stored.vault) return;
      const contents = openVaultContents(me, key, stored.vault);
      // Never merge into (and re-seal) an older vault than this device saw: that would launder a rollback.
      await checkVaultFresh(this.#profile, me, contents);
      const inVault = parsePins(contents.pins);
      const merged = mergePins(inVault, await this.#profile.pins(me));
      // A v1 vault is rewritten as v2 even without new pins: from then on its counter protects it.
      if (contents.format === 2 && same(merged, mergePins(inVault))) return;
      const counter = await nextVaultCounter(this.#profile, me, contents.counter);
      try {
        await call(() =>
          this.#trpc.vault.put.mutate({
            vault: sealVault(
              me,
              key,
              { identities: contents.identities, pins: merged, counter, archiveKey: contents.archiveKey },
              this.#random,
            ),
            expected_version: stored.version,
          }),
        );
        await rememberVault(this.#profile, me, counter);
        return;
      } catch (err) {
        if (!(err instanceof LockboxApiError && err.code === 'conflict')) throw err;
      }
    }
  }
}
