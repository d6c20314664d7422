/**
 * `session.verification`: safety numbers, and accepting or verifying a
 * contact's key (TOFU pins, docs/SECURITY.md).
 */
import type { TUser } from '@lockbox/contracts';
import { formatSafetyNumber, fromBase64, type Identity, safetyNumber, toBase64 } from '../../crypto';
import type { SessionInternals } from '../internals';
import type { Me } from '../messages';
import type { Pin } from '../profile';

export interface SafetyNumberInfo {
  contact: TUser;
  groups: string[];
  text: string;
  verified: boolean;
  /** The contact's bundle is version 1: its key does not sign their username (they have not signed in since). */
  legacyBundle: boolean;
}

/** The safety number over the directory's key as it is now: what accepting it would make the pinned one. */
export interface CandidateSafetyNumberInfo extends SafetyNumberInfo {
  /** The identity key it was computed over (pass it to `acceptNewKey` so exactly this key is accepted). */
  identityKey: string;
  /** False when the directory's key is the pinned one and the username binding holds: nothing to accept. */
  changed: boolean;
}

export type VerificationContext = Pick<SessionInternals, 'profile' | 'keys' | 'signedIn' | 'people'>;

const groupsBetween = (me: Me, contactId: string, contactKey: Uint8Array): string[] =>
  safetyNumber(
    { userId: me.userId, identityKey: (me.identities[0] as Identity).identityKey },
    { userId: contactId, identityKey: contactKey },
  );

export class VerificationDomain {
  readonly #ctx: VerificationContext;

  constructor(ctx: VerificationContext) {
    this.#ctx = ctx;
  }

  /** The safety number both sides compare out of band (pins the contact's key if this is first contact). */
  async safetyNumber(withUser: string): Promise<SafetyNumberInfo> {
    const { keys } = this.#ctx;
    const me = this.#ctx.signedIn.me();
    const contact = await this.#ctx.people.resolve(withUser);
    const bundle = await keys.current(contact.id, contact.username);
    const pin = (await keys.pinOf(contact.id)) as Pin;
    const groups = groupsBetween(me, contact.id, fromBase64(pin.identity_key));
    return {
      contact,
      groups,
      text: formatSafetyNumber(groups),
      verified: pin.verified,
      legacyBundle: bundle.version === 1,
    };
  }

  /**
   * The safety number over the key the directory holds NOW, without pinning or
   * accepting it: after a key_changed / identity_changed warning, the user
   * compares this one first and only then accepts (`acceptNewKey`). A bundle
   * whose signed username is not this contact's is refused, not shown.
   */
  async candidateSafetyNumber(withUser: string): Promise<CandidateSafetyNumberInfo> {
    const { keys } = this.#ctx;
    const me = this.#ctx.signedIn.me();
    const contact = await this.#ctx.people.lookUp(withUser);
    const named = contact.username !== contact.id;
    const bundle = await keys.candidate(contact.id, named ? contact.username : undefined);
    const pin = await this.#ctx.profile.pin(me.userId, contact.id);
    const identityKey = toBase64(bundle.identityKey);
    const nameHolds =
      !named ||
      (await keys.checkIdentity(contact.id, contact.username).then(
        () => true,
        () => false,
      ));
    const groups = groupsBetween(me, contact.id, bundle.identityKey);
    return {
      contact,
      groups,
      text: formatSafetyNumber(groups),
      verified: pin?.identity_key === identityKey && pin.verified,
      legacyBundle: bundle.version === 1,
      identityKey,
      changed: pin?.identity_key !== identityKey || !nameHolds,
    };
  }

  /** Records that the user compared safety numbers with this contact and they matched (refused while a change is pending). */
  async markVerified(withUser: string): Promise<Pin> {
    const contact = await this.#ctx.people.resolve(withUser);
    // A pending key change must be accepted first: "verified" always means the key shown last.
    await this.#ctx.keys.current(contact.id, contact.username !== contact.id ? contact.username : undefined);
    return this.#ctx.keys.markVerified(contact.id);
  }

  /**
   * Accepts the contact's new identity key, or that their username now belongs
   * to this id (after a key_changed / identity_changed warning and a comparison
   * of `candidateSafetyNumber`). With `expectedIdentityKey` (the candidate's
   * `identityKey`), a key that changed again since it was shown is refused.
   */
  async acceptNewKey(withUser: string, expectedIdentityKey?: string): Promise<Pin> {
    this.#ctx.signedIn.me();
    const contact = await this.#ctx.people.lookUp(withUser);
    const named = contact.username !== contact.id;
    return this.#ctx.keys.acceptNewKey(contact.id, named ? contact.username : undefined, expectedIdentityKey);
  }

  /** Checks the server's claim that `user.id` is `user.username` (see contacts.resolveUser), e.g. for each listed contact. */
  async checkIdentity(user: TUser): Promise<void> {
    this.#ctx.signedIn.me();
    await this.#ctx.keys.checkIdentity(user.id, user.username);
  }
}
