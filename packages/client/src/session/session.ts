/**
 * LockboxSession: everything an app does, end-to-end encrypted, by domain —
 * `account`, `contacts`, `requests`, `messages`, `live`, `verification` (the
 * contract's namespaces). This file is only the composition root: it owns the
 * API client, the key store profile, TOFU pins and who is signed in, and hands
 * each domain the part of them it needs. The same class runs in Node
 * (FileStore, `ws`) and browsers (IndexedDbStore, native WebSocket).
 */
import { createLockboxApi, type LockboxApi } from '../api/client';
import { type Argon2id, identityFromSecrets, systemRandom, wasmArgon2id } from '../crypto';
import type { WebSocketFactory } from '../realtime/client';
import type { KeyValueStore } from '../store/types';
import { ContactKeys, type IdentityChangedEvent, type KeyChangedEvent } from './contact-keys';
import { AccountDomain } from './domains/account';
import { ContactsDomain } from './domains/contacts';
import { DevicesDomain } from './domains/devices';
import { LiveDomain } from './domains/live';
import { MessagesDomain } from './domains/messages';
import { RequestsDomain } from './domains/requests';
import { VerificationDomain } from './domains/verification';
import { Emitter } from './emitter';
import { internalsOf, type SessionInternals } from './internals';
import { People } from './people';
import { PinSync } from './pin-sync';
import { type Account, Profile } from './profile';
import { SignedInState } from './signed-in';
import { testRandomFor } from './test-random';
import { V2Runtime } from './v2-runtime';

export type { AccountDomain } from './domains/account';
export type { ContactsDomain } from './domains/contacts';
export type { DevicesDomain, DeviceView } from './domains/devices';
export type { ListenHandlers, LiveDomain, ReceiptEvent } from './domains/live';
export type { HistoryPage, MessagesDomain } from './domains/messages';
export type { RequestsDomain } from './domains/requests';
export type {
  CandidateSafetyNumberInfo,
  SafetyNumberInfo,
  VerificationDomain,
} from './domains/verification';
export type { V2Status } from './v2-runtime';

export interface SessionOptions {
  /** The gateway, e.g. http://localhost:8000. */
  baseUrl: string;
  store: KeyValueStore;
  /** Needed only for `live.listen`. */
  webSocket?: WebSocketFactory;
  fetch?: typeof fetch;
  argon2id?: Argon2id;
  /** This device's name on the account's signed device list (1..64 characters; default `LockBox on <platform>`). */
  deviceName?: string;
  /**
   * 'v2': E2E v2 (MLS) starts after sign-in and is used whenever the contact has a v2 device.
   * 'v1' (default for now): never start it. v2 stays opt-in until the v1 malicious-server suites
   * (which tamper with v1 envelopes and vaults) have v2 counterparts; see docs/SECURITY.md 10.11.
   */
  protocol?: 'v2' | 'v1';
}

const defaultDeviceName = (): string => {
  const g = globalThis as { navigator?: { platform?: string }; process?: { platform?: string } };
  const platform = g.process?.platform ?? g.navigator?.platform ?? 'unknown';
  return `LockBox on ${platform || 'unknown'}`.slice(0, 64);
};

export interface SessionEvents extends Record<string, unknown> {
  key_changed: KeyChangedEvent;
  /** The server listed a username under another id than this device pinned, or an id under a name its key does not sign. */
  identity_changed: IdentityChangedEvent;
}

export class LockboxSession {
  readonly events = new Emitter<SessionEvents>();
  readonly api: LockboxApi;
  readonly profile: Profile;
  readonly keys: ContactKeys;
  readonly account: AccountDomain;
  readonly contacts: ContactsDomain;
  readonly requests: RequestsDomain;
  readonly messages: MessagesDomain;
  readonly live: LiveDomain;
  readonly verification: VerificationDomain;
  readonly devices: DevicesDomain;
  readonly #v2: V2Runtime;
  readonly #signedIn = new SignedInState();

  private constructor(opts: SessionOptions) {
    const signedIn = this.#signedIn;
    this.api = createLockboxApi({
      baseUrl: opts.baseUrl,
      store: opts.store,
      ...(opts.fetch ? { fetch: opts.fetch } : {}),
    });
    this.profile = new Profile(opts.store);
    // Always the CSPRNG, except in tests that opened the session through @lockbox/client/testing.
    const random = testRandomFor(opts) ?? systemRandom;
    const pinSync = new PinSync(this.api.trpc, this.profile, random);
    this.keys = new ContactKeys(
      this.api.trpc,
      this.profile,
      () => signedIn.me().userId,
      (e) => this.events.emit('key_changed', e),
      () => pinSync.push(signedIn.me().userId),
      (e) => this.events.emit('identity_changed', e),
    );
    const deviceName = opts.deviceName ?? defaultDeviceName();
    if (deviceName.length < 1 || deviceName.length > 64)
      throw new RangeError('a device name is 1 to 64 characters');
    this.#v2 = new V2Runtime({
      api: this.api,
      profile: this.profile,
      keys: this.keys,
      store: opts.store,
      random,
      protocol: opts.protocol ?? 'v1',
      deviceName,
    });
    const internals: SessionInternals = {
      api: this.api,
      profile: this.profile,
      keys: this.keys,
      pinSync,
      random,
      argon2id: opts.argon2id ?? wasmArgon2id,
      signedIn,
      people: new People({ api: this.api, keys: this.keys, signedIn }),
      store: opts.store,
      realtime: { baseUrl: opts.baseUrl, ...(opts.webSocket ? { webSocket: opts.webSocket } : {}) },
      v2: this.#v2,
    };
    internalsOf.set(this, internals);
    // Each domain gets only the internals it names (its context type says the same).
    const pick = <K extends keyof SessionInternals>(...keys: K[]): Pick<SessionInternals, K> =>
      Object.fromEntries(keys.map((k) => [k, internals[k]])) as Pick<SessionInternals, K>;
    this.account = new AccountDomain(
      pick('api', 'profile', 'pinSync', 'random', 'argon2id', 'signedIn', 'v2'),
    );
    this.contacts = new ContactsDomain(pick('api', 'signedIn', 'people'));
    this.requests = new RequestsDomain(pick('api', 'keys', 'random', 'signedIn', 'people'));
    this.messages = new MessagesDomain(pick('api', 'keys', 'random', 'signedIn', 'people', 'store', 'v2'));
    this.live = new LiveDomain({
      ...pick('api', 'profile', 'keys', 'signedIn', 'store', 'realtime', 'v2'),
      latestCursor: () => this.messages.latestCursor(),
    });
    this.verification = new VerificationDomain(pick('profile', 'keys', 'signedIn', 'people'));
    this.devices = new DevicesDomain(pick('api', 'signedIn', 'v2'));
  }

  /** Opens a session over a store, resuming whoever is signed in there. */
  static async open(opts: SessionOptions): Promise<LockboxSession> {
    const s = new LockboxSession(opts);
    await s.#restore();
    return s;
  }

  async #restore() {
    const [account, session] = await Promise.all([this.profile.account(), this.api.tokens.load()]);
    if (!account || !session || session.user.id !== account.user_id) return;
    const secrets = await this.profile.identities(account.user_id);
    if (!secrets) return;
    this.#signedIn.set(account, secrets.map(identityFromSecrets));
    await this.#v2.start(this.#signedIn.me());
  }

  /** Who is signed in on this session (undefined: nobody). */
  get user(): Account | undefined {
    return this.#signedIn.account;
  }
}
