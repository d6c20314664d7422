/**
 * Trust on first use. The first time this account needs a contact's key, the
 * directory's bundle is verified (self-signature for that user id, and for a
 * version 2 bundle the username it signs) and its identity key pinned under
 * both id and username. From then on the directory's answer and every message
 * must carry the pinned key, and a username must keep naming the pinned id;
 * anything else is a `key_changed` / `identity_changed` event and an error,
 * never a silent re-pin. Accepting is an explicit call (`acceptNewKey`), after
 * which the old key still verifies the messages it signed back then.
 */

import { canonicalUsername } from '@lockbox/contracts';
import type { LockboxTrpc } from '../api/client';
import { call, LockboxApiError } from '../api/errors';
import {
  bytesEqual,
  CryptoError,
  fromBase64,
  toBase64,
  type VerifiedBundle,
  verifyKeyBundle,
} from '../crypto';
import { type NameProblem, nameBindingProblem } from './name-binding';
import type { Pin, Profile } from './profile';

export interface KeyChangedEvent {
  userId: string;
  username?: string;
  pinnedKey: string;
  presentedKey: string;
  /** The old key had been verified by safety number: this deserves a louder warning. */
  wasVerified: boolean;
  /** Where the new key showed up. */
  seenIn: 'directory' | 'message';
}

/**
 * The server listed a user id under a username that contradicts what this
 * device knows: the username is pinned to another id (`username_moved`), or
 * the id's signed or pinned username is another one (`username_mismatch`).
 */
export interface IdentityChangedEvent {
  /** The id the server listed. */
  userId: string;
  /** The username the server listed it under (canonical). */
  username: string;
  reason: NameProblem['reason'];
  /** username_moved: the id this device pinned for that username. */
  pinnedUserId?: string;
  /** username_mismatch: the username the id's key signed, or that this device pinned for it. */
  actualUsername?: string;
  /** The pin involved had been verified by safety number. */
  wasVerified: boolean;
  seenIn: 'directory';
}

const CACHE_MS = 60_000;

export class ContactKeys {
  /** Bundles that matched the pin (or became it). */
  readonly #cache = new Map<string, { at: number; bundle: VerifiedBundle }>();
  /** Bundles only checked for their signed name (`checkIdentity`), not pinned. */
  readonly #checked = new Map<string, { at: number; bundle: VerifiedBundle }>();

  readonly #trpc: LockboxTrpc;
  readonly #profile: Profile;
  readonly #me: () => string;
  readonly #onKeyChanged: (e: KeyChangedEvent) => void;
  readonly #onPinsChanged: () => Promise<void>;
  readonly #onIdentityChanged: (e: IdentityChangedEvent) => void;

  constructor(
    trpc: LockboxTrpc,
    profile: Profile,
    me: () => string,
    onKeyChanged: (e: KeyChangedEvent) => void,
    /** After any pin is written: copies the pins into the vault (awaited, so a CLI command does not exit first). */
    onPinsChanged: () => Promise<void> = async () => undefined,
    onIdentityChanged: (e: IdentityChangedEvent) => void = () => undefined,
  ) {
    this.#trpc = trpc;
    this.#profile = profile;
    this.#me = me;
    this.#onKeyChanged = onKeyChanged;
    this.#onPinsChanged = onPinsChanged;
    this.#onIdentityChanged = onIdentityChanged;
  }

  /** The directory's bundle, verified for this id and (version 2) for the username the caller expects. */
  async #fetchBundle(userId: string, username?: string): Promise<VerifiedBundle> {
    const bundle = await call(() => this.#trpc.keys.get.query({ user_id: userId }));
    try {
      return verifyKeyBundle(userId, bundle, undefined, username);
    } catch (err) {
      if (err instanceof CryptoError && err.code === 'identity_mismatch' && username && bundle.version === 2)
        this.#onIdentityChanged({
          userId,
          username: canonicalUsername(username),
          reason: 'username_mismatch',
          actualUsername: bundle.username,
          wasVerified: false,
          seenIn: 'directory',
        });
      throw err;
    }
  }

  /** Refuses (loudly) a username → id claim that contradicts this device's pins. */
  async #checkNameBinding(userId: string, username: string): Promise<void> {
    const problem = nameBindingProblem(await this.#profile.pins(this.#me()), userId, username);
    if (!problem) return;
    const name = canonicalUsername(username);
    this.#onIdentityChanged({
      userId,
      username: name,
      reason: problem.reason,
      ...(problem.reason === 'username_moved'
        ? { pinnedUserId: problem.pinned.user_id }
        : { actualUsername: problem.pinned.username }),
      wasVerified: problem.pinned.verified,
      seenIn: 'directory',
    });
    throw problem.reason === 'username_moved'
      ? new CryptoError(
          'identity_changed',
          `the server now says "${name}" is ${userId}, but you pinned "${name}" as ${problem.pinned.user_id}`,
        )
      : new CryptoError(
          'identity_mismatch',
          `the server says ${userId} is "${name}", but you pinned it as "${problem.pinned.username}"`,
        );
  }

  /**
   * Checks that the server's "`userId` is `username`" holds, without pinning:
   * against this device's pins, against the pin's name, and against the name a
   * version 2 bundle signs. A user with no published keys has nothing to check.
   */
  async checkIdentity(userId: string, username: string): Promise<void> {
    await this.#checkNameBinding(userId, username);
    // Either cache will do: the signed name does not depend on the pin. `checked` is kept apart
    // from `cache`, whose entries mean "matches the pin" (a check pins nothing).
    const hit = [this.#cache.get(userId), this.#checked.get(userId)].find(
      (h) => h && Date.now() - h.at < CACHE_MS,
    );
    const bundle =
      hit?.bundle ??
      (await this.#fetchBundle(userId, username).catch((err) => {
        if (err instanceof LockboxApiError && err.code === 'not_found') return undefined;
        throw err;
      }));
    if (!bundle) return;
    if (!hit) this.#checked.set(userId, { at: Date.now(), bundle });
    this.#checkSignedName(userId, username, bundle);
  }

  #checkSignedName(userId: string, username: string, bundle: VerifiedBundle) {
    if (bundle.signedUsername === undefined || bundle.signedUsername === canonicalUsername(username)) return;
    this.#onIdentityChanged({
      userId,
      username: canonicalUsername(username),
      reason: 'username_mismatch',
      actualUsername: bundle.signedUsername,
      wasVerified: false,
      seenIn: 'directory',
    });
    throw new CryptoError(
      'identity_mismatch',
      `the server says ${userId} is "${username}", but that account's key says it belongs to "${bundle.signedUsername}"`,
    );
  }

  /** The contact's current keys from the directory, checked against (or becoming) the pin. */
  async current(userId: string, username?: string): Promise<VerifiedBundle> {
    if (username !== undefined) await this.#checkNameBinding(userId, username);
    const hit = this.#cache.get(userId);
    if (hit && Date.now() - hit.at < CACHE_MS) {
      if (username !== undefined) this.#checkSignedName(userId, username, hit.bundle);
      return hit.bundle;
    }
    const bundle = await this.#fetchBundle(userId, username);
    const pin = await this.#profile.pin(this.#me(), userId);
    // The name to pin: what the key signed (version 2), else what the server listed (legacy TOFU).
    const name = bundle.signedUsername ?? (username !== undefined ? canonicalUsername(username) : undefined);
    if (!pin) {
      if (name !== undefined) await this.#checkNameBinding(userId, name);
      await this.#profile.setPin(this.#me(), {
        user_id: userId,
        ...(name !== undefined ? { username: name } : {}),
        identity_key: toBase64(bundle.identityKey),
        pinned_at: new Date().toISOString(),
        verified: false,
        previous_keys: [],
      });
      await this.#onPinsChanged();
    } else if (!bytesEqual(fromBase64(pin.identity_key), bundle.identityKey)) {
      this.#reportChange(pin, bundle.identityKey, 'directory');
      throw new CryptoError(
        'key_changed',
        `the identity key of ${pin.username ?? userId} changed since it was pinned`,
      );
    } else if (name !== undefined) {
      await this.#checkNameBinding(userId, name);
      if (pin.username === undefined) {
        // A pin made before names were pinned (or from a message): it learns its name now.
        await this.#profile.setPin(this.#me(), { ...pin, username: name });
        await this.#onPinsChanged();
      }
    }
    this.#cache.set(userId, { at: Date.now(), bundle });
    return bundle;
  }

  /** The directory's bundle for a contact as it is now, verified but NOT pinned: what accepting would pin. */
  async candidate(userId: string, username?: string): Promise<VerifiedBundle> {
    return this.#fetchBundle(userId, username);
  }

  /** The pin (pinning the directory's key first if there is none yet). */
  async pinOf(userId: string): Promise<Pin> {
    const existing = await this.#profile.pin(this.#me(), userId);
    if (existing) return existing;
    await this.current(userId);
    return (await this.#profile.pin(this.#me(), userId)) as Pin;
  }

  /**
   * The pinned key to check a message signed with `presented` that the server
   * stored at `createdAt`: the current pin, or a previous one if the message is
   * older than its replacement. Otherwise the current pin (and opening then
   * reports `key_changed` or `bad_signature`).
   */
  async signingKeyFor(userId: string, presented: Uint8Array, createdAt: string): Promise<Uint8Array> {
    const pin = await this.pinOf(userId);
    const current = fromBase64(pin.identity_key);
    if (bytesEqual(current, presented)) return current;
    const at = Date.parse(createdAt);
    const previous = pin.previous_keys.find(
      (p) =>
        bytesEqual(fromBase64(p.key), presented) && Number.isFinite(at) && at <= Date.parse(p.replaced_at),
    );
    return previous ? fromBase64(previous.key) : current;
  }

  reportMessageKeyChange(pin: Pin, presented: Uint8Array): void {
    this.#reportChange(pin, presented, 'message');
  }

  #reportChange(pin: Pin, presented: Uint8Array, seenIn: KeyChangedEvent['seenIn']) {
    this.#onKeyChanged({
      userId: pin.user_id,
      ...(pin.username ? { username: pin.username } : {}),
      pinnedKey: pin.identity_key,
      presentedKey: toBase64(presented),
      wasVerified: pin.verified,
      seenIn,
    });
  }

  /**
   * The user chose to trust the directory's new key for this contact, or that
   * `username` now belongs to this id (after comparing the candidate safety
   * number). With `expectedKey` (the key whose candidate number was shown), a
   * directory that changed the key again in between is refused. A bundle that
   * signs another username can never be accepted under this one.
   */
  async acceptNewKey(userId: string, username?: string, expectedKey?: string): Promise<Pin> {
    const bundle = await this.#fetchBundle(userId, username);
    const key = toBase64(bundle.identityKey);
    if (expectedKey !== undefined && expectedKey !== key)
      throw new CryptoError(
        'key_changed',
        `the identity key of ${username ?? userId} changed again since its safety number was shown; compare the new one`,
      );
    const pin = await this.#profile.pin(this.#me(), userId);
    const now = new Date().toISOString();
    const name =
      bundle.signedUsername ?? (username !== undefined ? canonicalUsername(username) : pin?.username);
    const rebinding =
      name !== undefined &&
      nameBindingProblem(await this.#profile.pins(this.#me()), userId, name) !== undefined;
    const next: Pin = {
      user_id: userId,
      ...(name !== undefined ? { username: name } : {}),
      // A key change must not look like a newer claim on the name: keep when the name was bound.
      ...(rebinding || !pin
        ? { username_bound_at: now }
        : { username_bound_at: pin.username_bound_at ?? pin.pinned_at }),
      identity_key: key,
      pinned_at: now,
      verified: false,
      previous_keys:
        pin && pin.identity_key !== key
          ? [{ key: pin.identity_key, replaced_at: now }, ...pin.previous_keys.filter((p) => p.key !== key)]
          : (pin?.previous_keys ?? []),
    };
    await this.#profile.setPin(this.#me(), next);
    await this.#onPinsChanged();
    this.#cache.set(userId, { at: Date.now(), bundle });
    return next;
  }

  async markVerified(userId: string): Promise<Pin> {
    const pin = await this.pinOf(userId);
    const next = { ...pin, verified: true };
    await this.#profile.setPin(this.#me(), next);
    await this.#onPinsChanged();
    return next;
  }
}
