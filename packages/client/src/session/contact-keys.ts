/**
 * Trust on first use. The first time this account needs a contact's key, the
 * directory's bundle is verified (self-signature for that user id) and its
 * identity key pinned. From then on the directory's answer and every message
 * must carry the pinned key; anything else is a `key_changed` event and an
 * error, never a silent re-pin. Accepting a new key is an explicit call
 * (`acceptNewKey`), after which the old key still verifies the messages it
 * signed back then.
 */

import type { LockboxTrpc } from '../api/client';
import { call } from '../api/errors';
import {
  bytesEqual,
  CryptoError,
  fromBase64,
  type PublicIdentity,
  toBase64,
  verifyKeyBundle,
} from '../crypto';
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

const CACHE_MS = 60_000;

export class ContactKeys {
  private readonly cache = new Map<string, { at: number; identity: PublicIdentity }>();

  constructor(
    private readonly trpc: LockboxTrpc,
    private readonly profile: Profile,
    private readonly me: () => string,
    private readonly onKeyChanged: (e: KeyChangedEvent) => void,
    /** After any pin is written: copies the pins into the vault (awaited, so a CLI command does not exit first). */
    private readonly onPinsChanged: () => Promise<void> = async () => undefined,
  ) {}

  private async fetchBundle(userId: string): Promise<PublicIdentity> {
    const bundle = await call(() => this.trpc.keys.get.query({ user_id: userId }));
    return verifyKeyBundle(userId, bundle);
  }

  /** The contact's current keys from the directory, checked against (or becoming) the pin. */
  async current(userId: string, username?: string): Promise<PublicIdentity> {
    const hit = this.cache.get(userId);
    if (hit && Date.now() - hit.at < CACHE_MS) return hit.identity;
    const identity = await this.fetchBundle(userId);
    const pin = await this.profile.pin(this.me(), userId);
    if (!pin) {
      await this.profile.setPin(this.me(), {
        user_id: userId,
        ...(username ? { username } : {}),
        identity_key: toBase64(identity.identityKey),
        pinned_at: new Date().toISOString(),
        verified: false,
        previous_keys: [],
      });
      await this.onPinsChanged();
    } else if (!bytesEqual(fromBase64(pin.identity_key), identity.identityKey)) {
      this.reportChange(pin, identity.identityKey, 'directory');
      throw new CryptoError(
        'key_changed',
        `the identity key of ${pin.username ?? userId} changed since it was pinned`,
      );
    }
    this.cache.set(userId, { at: Date.now(), identity });
    return identity;
  }

  /** The pin (pinning the directory's key first if there is none yet). */
  async pinOf(userId: string): Promise<Pin> {
    const existing = await this.profile.pin(this.me(), userId);
    if (existing) return existing;
    await this.current(userId);
    return (await this.profile.pin(this.me(), userId)) as Pin;
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
    this.reportChange(pin, presented, 'message');
  }

  private reportChange(pin: Pin, presented: Uint8Array, seenIn: KeyChangedEvent['seenIn']) {
    this.onKeyChanged({
      userId: pin.user_id,
      ...(pin.username ? { username: pin.username } : {}),
      pinnedKey: pin.identity_key,
      presentedKey: toBase64(presented),
      wasVerified: pin.verified,
      seenIn,
    });
  }

  /** The user chose to trust the directory's new key for this contact (after comparing safety numbers). */
  async acceptNewKey(userId: string): Promise<Pin> {
    const identity = await this.fetchBundle(userId);
    const pin = await this.profile.pin(this.me(), userId);
    const key = toBase64(identity.identityKey);
    const next: Pin = {
      user_id: userId,
      ...(pin?.username ? { username: pin.username } : {}),
      identity_key: key,
      pinned_at: new Date().toISOString(),
      verified: false,
      previous_keys:
        pin && pin.identity_key !== key
          ? [
              { key: pin.identity_key, replaced_at: new Date().toISOString() },
              ...pin.previous_keys.filter((p) => p.key !== key),
            ]
          : (pin?.previous_keys ?? []),
    };
    await this.profile.setPin(this.me(), next);
    await this.onPinsChanged();
    this.cache.set(userId, { at: Date.now(), identity });
    return next;
  }

  async markVerified(userId: string): Promise<Pin> {
    const pin = await this.pinOf(userId);
    const next = { ...pin, verified: true };
    await this.profile.setPin(this.me(), next);
    await this.onPinsChanged();
    return next;
  }
}
