/**
 * LockboxSession: everything an app does, end-to-end encrypted. It owns the
 * API client, the key store profile, TOFU pins and the realtime connection,
 * and hands out decrypted messages. The same class runs in Node (FileStore,
 * `ws`) and browsers (IndexedDbStore, native WebSocket).
 */
import type { TChatRequest, TContact, TReadReceipt, TUser } from '@lockbox/contracts';
import { createLockboxApi, type LockboxApi } from '../api/client';
import { call, LockboxApiError } from '../api/errors';
import {
  type Argon2id,
  formatSafetyNumber,
  fromBase64,
  type Identity,
  identityFromSecrets,
  type RandomSource,
  safetyNumber,
  systemRandom,
  toBase64,
  wasmArgon2id,
} from '../crypto';
import { RealtimeClient, type RealtimeState, type WebSocketFactory } from '../realtime/client';
import type { KeyValueStore } from '../store/types';
import {
  type AccountDeps,
  changeAccountPassword,
  loginAccount,
  registerAccount,
  type SignedIn,
  upgradeLegacyAccount,
} from './account';
import { ContactKeys, type IdentityChangedEvent, type KeyChangedEvent } from './contact-keys';
import { Emitter } from './emitter';
import { SessionError } from './errors';
import type { KdfCheckOptions } from './kdf-guard';
import { migrateLegacyKdf } from './kdf-migration';
import { type DecryptedMessage, decryptMessage, type Me, sendPayload } from './messages';
import { PinSync } from './pin-sync';
import { type Account, type Pin, Profile } from './profile';
import { openRequestNote, type RequestNote, sealRequestNote, withOpenedNote } from './request-notes';
import { SeenMessages } from './seen-messages';
import { testRandomFor } from './test-random';

export interface SessionOptions {
  /** The gateway, e.g. http://localhost:8000. */
  baseUrl: string;
  store: KeyValueStore;
  /** Needed only for `listen`. */
  webSocket?: WebSocketFactory;
  fetch?: typeof fetch;
  argon2id?: Argon2id;
}

export interface SessionEvents extends Record<string, unknown> {
  key_changed: KeyChangedEvent;
  /** The server listed a username under another id than this device pinned, or an id under a name its key does not sign. */
  identity_changed: IdentityChangedEvent;
}

export interface ListenHandlers {
  onMessage?: (m: DecryptedMessage) => void | Promise<void>;
  /** A new request to me; `note` is opened and verified like `incomingRequests` does (null: none). */
  onChatRequest?: (r: {
    id: string;
    from_user_id: string;
    from_username?: string;
    note: RequestNote | null;
  }) => void;
  onChatRequestAccepted?: (r: { id: string; from_user_id: string; to_user_id: string }) => void;
  onReceipt?: (r: Record<string, unknown>) => void;
  onTyping?: (t: { from: string; typing: boolean }) => void;
  onPresence?: (p: { user_id: string; status: 'online' | 'offline' }) => void;
  onState?: (state: RealtimeState, detail?: string) => void;
  onSessionEnded?: () => void;
}

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

const USER_ID = /^usr_[0-9a-hjkmnp-tv-z]{26}$/;

export class LockboxSession {
  readonly events = new Emitter<SessionEvents>();
  readonly api: LockboxApi;
  readonly profile: Profile;
  private readonly random: RandomSource;
  private readonly argon2id: Argon2id;
  private account: Account | undefined;
  private identities: Identity[] = [];
  readonly keys: ContactKeys;
  private readonly pinSync: PinSync;

  private constructor(private readonly opts: SessionOptions) {
    this.api = createLockboxApi({
      baseUrl: opts.baseUrl,
      store: opts.store,
      ...(opts.fetch ? { fetch: opts.fetch } : {}),
    });
    this.profile = new Profile(opts.store);
    // Always the CSPRNG, except in tests that opened the session through @lockbox/client/testing.
    this.random = testRandomFor(opts) ?? systemRandom;
    this.argon2id = opts.argon2id ?? wasmArgon2id;
    this.pinSync = new PinSync(this.api.trpc, this.profile, this.random);
    this.keys = new ContactKeys(
      this.api.trpc,
      this.profile,
      () => this.me().userId,
      (e) => this.events.emit('key_changed', e),
      () => this.pinSync.push(this.me().userId),
      (e) => this.events.emit('identity_changed', e),
    );
  }

  /** Opens a session over a store, resuming whoever is signed in there. */
  static async open(opts: SessionOptions): Promise<LockboxSession> {
    const s = new LockboxSession(opts);
    await s.restore();
    return s;
  }

  private async restore() {
    const [account, session] = await Promise.all([this.profile.account(), this.api.tokens.load()]);
    if (!account || !session || session.user.id !== account.user_id) return;
    const secrets = await this.profile.identities(account.user_id);
    if (!secrets) return;
    this.account = account;
    this.identities = secrets.map(identityFromSecrets);
  }

  get user(): Account | undefined {
    return this.account;
  }

  private me(): Me {
    if (!this.account || this.identities.length === 0)
      throw new SessionError('not_signed_in', 'not signed in; run login first');
    return { userId: this.account.user_id, identities: this.identities };
  }

  private get deps(): AccountDeps {
    return {
      api: this.api,
      random: this.random,
      argon2id: this.argon2id,
      kdfMemory: this.profile,
      profile: this.profile,
    };
  }

  private async adopt(signedIn: SignedIn): Promise<Account> {
    const { user } = signedIn.session;
    const previous = await this.profile.account();
    if (previous && previous.user_id !== user.id) await this.profile.signOut(previous.user_id);
    this.account = { user_id: user.id, username: user.username };
    this.identities = signedIn.identities;
    await this.profile.setIdentities(
      user.id,
      signedIn.identities.map((i) => i.secrets),
    );
    await this.profile.setVaultKey(user.id, signedIn.vaultKey);
    await this.profile.setAccount(this.account);
    // Pins travel in the vault: take the vault's, then give it any this device had.
    await this.pinSync.importPins(user.id, signedIn.pins);
    await this.pinSync.push(user.id);
    return this.account;
  }

  // ---- account ---------------------------------------------------------------

  async register(username: string, password: string): Promise<Account> {
    return this.adopt(await registerAccount(this.deps, username, password));
  }

  /**
   * Signs in; refuses prelogin parameters that are weak, absurd or changed
   * since this device last used them (`kdf_refused`, `kdf_changed`) before
   * anything is derived or sent. `acceptKdfChange` is for a password changed
   * on another device. A legacy account is migrated to the bound salt here.
   */
  async login(username: string, password: string, opts: KdfCheckOptions = {}): Promise<Account> {
    const signedIn = await loginAccount(this.deps, username, password, opts);
    return this.adopt(await migrateLegacyKdf(this.deps, signedIn, username, password));
  }

  /**
   * Signs in and replaces this account's identity with a fresh one — the
   * explicit step for a vault that is really lost (never taken silently when
   * the server says "no vault"). Old identities stay in the vault if it still
   * opens; contacts see a key change.
   */
  async resetIdentity(username: string, password: string): Promise<Account> {
    return this.adopt(await loginAccount(this.deps, username, password, { resetIdentity: true }));
  }

  /**
   * Changes the password; the vault is re-sealed and this account's other
   * sessions end. `rotateKeys`: a fresh identity becomes current (old ones stay
   * for history) and is published; contacts see a key change they can verify.
   */
  async changePassword(
    currentPassword: string,
    newPassword: string,
    opts: { rotateKeys?: boolean } = {},
  ): Promise<void> {
    this.me();
    const account = this.account as Account;
    const { vaultKey, identities } = await changeAccountPassword(
      this.deps,
      { id: account.user_id, username: account.username },
      currentPassword,
      newPassword,
      opts,
    );
    await this.profile.setVaultKey(account.user_id, vaultKey);
    if (opts.rotateKeys) {
      await this.profile.setIdentities(account.user_id, identities);
      // In place: a running listen() holds this array, and must open messages sealed to the new key too.
      this.identities.splice(0, this.identities.length, ...identities.map(identityFromSecrets));
    }
  }

  /** Gives an account registered with a raw password (curl) a vault and keys, under a new password. */
  async upgradeAccount(username: string, currentPassword: string, newPassword: string): Promise<Account> {
    return this.adopt(await upgradeLegacyAccount(this.deps, username, currentPassword, newPassword));
  }

  /** Ends the session on the server and forgets the keys on this device (the vault still has them). */
  async logout(): Promise<void> {
    if (this.api.tokens.accessToken)
      await call(() => this.api.trpc.auth.logout.mutate()).catch((err) => {
        if (!(err instanceof LockboxApiError && err.status === 401)) throw err;
      });
    await this.profile.signOut(this.account?.user_id);
    this.account = undefined;
    this.identities = [];
  }

  /** Who the server says the token belongs to (also proves the session is still valid). */
  async whoami(): Promise<TUser & { identity_key: string }> {
    const me = this.me();
    const user = await call(() => this.api.trpc.auth.me.query());
    return { ...user, identity_key: toBase64((me.identities[0] as Identity).identityKey) };
  }

  // ---- people ----------------------------------------------------------------

  async search(q: string, limit = 20): Promise<TUser[]> {
    this.me();
    return call(() => this.api.trpc.users.search.query({ q, limit }));
  }

  /**
   * A username (case-insensitive) or user id → that user; contacts first, then
   * the directory. The server's "this id is that username" is checked against
   * this device's pins and the username the user's key signs: a contradiction
   * is an `identity_changed` event and an error, never a quiet answer.
   */
  async resolveUser(nameOrId: string): Promise<TUser> {
    const user = await this.lookUpUser(nameOrId);
    if (user.username !== user.id) await this.keys.checkIdentity(user.id, user.username);
    return user;
  }

  /** Checks the server's claim that `user.id` is `user.username` (see resolveUser), e.g. for each listed contact. */
  async checkIdentity(user: TUser): Promise<void> {
    this.me();
    await this.keys.checkIdentity(user.id, user.username);
  }

  /** resolveUser without the identity check: for the calls that show or accept a changed identity. */
  private async lookUpUser(nameOrId: string): Promise<TUser> {
    const needle = nameOrId.trim();
    const contacts = await this.contacts();
    const contact = contacts.find(
      (c) => c.id === needle || c.username.toLowerCase() === needle.toLowerCase(),
    );
    if (contact) return { id: contact.id, username: contact.username };
    if (USER_ID.test(needle)) return { id: needle, username: needle };
    if (needle.length > 0 && needle.length <= 32) {
      const found = await this.search(needle, 50);
      const exact = found.find((u) => u.username.toLowerCase() === needle.toLowerCase());
      if (exact) return exact;
    }
    throw new SessionError('unknown_user', `no user named "${needle}"`);
  }

  async contacts(): Promise<TContact[]> {
    this.me();
    const all: TContact[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await call(() =>
        this.api.trpc.contacts.list.query({ limit: 100, ...(after ? { after } : {}) }),
      );
      all.push(...page);
      if (page.length < 100) return all;
      after = page[page.length - 1]?.id;
    }
  }

  /**
   * Asks a user to connect. The note is sealed to their (pinned, or now
   * TOFU-pinned) key bundle like a message; the plaintext `message` field is
   * never sent. A user without published keys gets no note (`no_keys`).
   */
  async requestContact(nameOrId: string, note?: string): Promise<TChatRequest> {
    this.me();
    const input = note
      ? await this.sealedRequestTo(nameOrId, note)
      : USER_ID.test(nameOrId)
        ? { to_user_id: nameOrId }
        : { to_username: nameOrId };
    return call(() => this.api.trpc.chatRequests.send.mutate(input)).catch((err) => {
      if (err instanceof LockboxApiError && err.code === 'not_found')
        throw new SessionError('unknown_user', `no user named "${nameOrId}"`);
      throw err;
    });
  }

  /** A request body whose note is sealed to the user's key bundle (pinned on first use). */
  private async sealedRequestTo(nameOrId: string, note: string) {
    const me = this.me();
    const user = await this.resolveUser(nameOrId);
    const username = user.username === user.id ? undefined : user.username;
    const identity = await this.keys.current(user.id, username).catch((err) => {
      if (err instanceof LockboxApiError && err.code === 'not_found')
        throw new SessionError(
          'no_keys',
          `${user.username} has not set up end-to-end encryption (no published keys), so the note cannot be encrypted; send the request without a note`,
        );
      throw err;
    });
    return {
      to_user_id: user.id,
      sealed_message: sealRequestNote(me, { id: user.id, identity }, note, this.random),
    };
  }

  private async rawIncomingRequests() {
    this.me();
    return call(() => this.api.trpc.chatRequests.incoming.query({ limit: 100 }));
  }

  /** Pending requests to me, each note opened and verified (or refused, or flagged unencrypted). */
  async incomingRequests() {
    const me = this.me();
    const requests = await this.rawIncomingRequests();
    const out = [];
    for (const r of requests) out.push(await withOpenedNote(this.keys, me, r));
    return out;
  }

  /** My pending requests, each with the note as I sealed it (opened with my own keys). */
  async outgoingRequests() {
    const me = this.me();
    const requests = await call(() => this.api.trpc.chatRequests.outgoing.query({ limit: 100 }));
    const out = [];
    for (const r of requests) out.push(await withOpenedNote(this.keys, me, r));
    return out;
  }

  /** Accepts or declines a pending request, named by its id or by who sent it. */
  async respond(requestOrUser: string, action: 'accept' | 'decline'): Promise<TChatRequest> {
    const incoming = await this.rawIncomingRequests();
    const needle = requestOrUser.toLowerCase();
    const request = incoming.find(
      (r) =>
        r.id === requestOrUser ||
        r.from_user.id === requestOrUser ||
        r.from_user.username.toLowerCase() === needle,
    );
    if (!request)
      throw new SessionError('unknown_request', `no pending request from or with id "${requestOrUser}"`);
    // Accepting makes them a contact under that name: the name must be theirs (see resolveUser).
    if (action === 'accept') await this.keys.checkIdentity(request.from_user.id, request.from_user.username);
    return call(() => this.api.trpc.chatRequests.respond.mutate({ request_id: request.id, action }));
  }

  // ---- messages --------------------------------------------------------------

  async sendText(to: string, text: string) {
    const me = this.me();
    const recipient = await this.resolveUser(to);
    return sendPayload(this.api.trpc, this.keys, me, recipient, { type: 'text', text }, this.random);
  }

  /** The whole conversation with a contact (or its newest `limit` messages), oldest first, decrypted. */
  async history(withUser: string, opts: { limit?: number } = {}): Promise<DecryptedMessage[]> {
    const me = this.me();
    const contact = await this.resolveUser(withUser);
    const pages: DecryptedMessage[][] = [];
    let before: string | undefined;
    let count = 0;
    for (;;) {
      const pageSize = Math.min(200, opts.limit ? opts.limit - count : 200);
      if (pageSize <= 0) break;
      const page = await call(() =>
        this.api.trpc.messages.conversation.query({
          contact_id: contact.id,
          limit: pageSize,
          ...(before !== undefined ? { before } : {}),
        }),
      ).catch((err) => {
        if (err instanceof LockboxApiError && err.code === 'not_found')
          throw new SessionError('not_a_contact', `you have no conversation with ${contact.username}`);
        throw err;
      });
      const decrypted: DecryptedMessage[] = [];
      for (const m of page.messages)
        decrypted.push(await decryptMessage(this.keys, me, m, { counterpart: contact.id }));
      pages.unshift(decrypted);
      count += page.messages.length;
      if (page.next_cursor === null || page.messages.length === 0) break;
      before = page.next_cursor;
    }
    return this.seenMessages(me).check(pages.flat());
  }

  /** This device's persistent replay check (every read path goes through it). */
  private seenMessages(me: Me): SeenMessages {
    return new SeenMessages(this.opts.store, me.userId);
  }

  /** Everything after a cursor across all conversations, oldest first, decrypted. */
  async messagesAfter(after?: string, limit = 100) {
    const me = this.me();
    const page = await call(() =>
      this.api.trpc.messages.list.query({ limit, ...(after !== undefined ? { after } : {}) }),
    );
    const decrypted: DecryptedMessage[] = [];
    for (const m of page.messages) decrypted.push(await decryptMessage(this.keys, me, m));
    const messages = await this.seenMessages(me).check(decrypted);
    return { messages, next_cursor: page.next_cursor, has_more: page.has_more };
  }

  /** The cursor after the newest message right now (where a live-only listener starts). */
  async latestCursor(): Promise<string | undefined> {
    this.me();
    let after: string | undefined;
    for (;;) {
      const page = await call(() =>
        this.api.trpc.messages.list.query({ limit: 500, ...(after !== undefined ? { after } : {}) }),
      );
      if (page.messages.length > 0 || after !== undefined) after = page.next_cursor;
      if (!page.has_more) return after;
    }
  }

  /** One message (me on one side, attributed to its signed counterpart), replay-checked. */
  async decrypt(m: Parameters<typeof decryptMessage>[2]): Promise<DecryptedMessage> {
    const me = this.me();
    const [checked] = await this.seenMessages(me).check([await decryptMessage(this.keys, me, m)]);
    return checked as DecryptedMessage;
  }

  /**
   * Live messages and events, decrypted, in order. Resumes from the cursor of
   * the last message handled on this device (or, the first time, from now; or
   * from the very beginning with `fromStart`), and again after every drop.
   */
  async listen(handlers: ListenHandlers, opts: { fromStart?: boolean } = {}): Promise<RealtimeClient> {
    const me = this.me();
    if (!this.opts.webSocket) throw new Error('listen needs a WebSocket factory (SessionOptions.webSocket)');
    const seen = this.seenMessages(me);
    let cursor = await this.profile.cursor(me.userId);
    if (cursor === undefined) cursor = opts.fromStart ? '0' : await this.latestCursor();
    const client = new RealtimeClient({
      baseUrl: this.opts.baseUrl,
      webSocket: this.opts.webSocket,
      ...(cursor !== undefined ? { cursor } : {}),
      getToken: async ({ forceRefresh }) =>
        forceRefresh ? this.api.tokens.refreshAfter(this.api.tokens.accessToken) : this.api.tokens.fresh(),
      onCursor: (c) => this.profile.setCursor(me.userId, c),
      onFrame: async (frame) => {
        switch (frame.type) {
          case 'new_message': {
            const { data } = frame;
            const message = await decryptMessage(this.keys, me, data as Parameters<typeof decryptMessage>[2]);
            const [checked] = await seen.check([message]);
            await handlers.onMessage?.(checked as DecryptedMessage);
            return;
          }
          case 'chat_request': {
            const from = (frame.data as { from_user?: { username?: string } }).from_user;
            const note = await openRequestNote(this.keys, me, frame.data);
            handlers.onChatRequest?.({
              id: frame.data.id,
              from_user_id: frame.data.from_user_id,
              ...(from?.username ? { from_username: from.username } : {}),
              note,
            });
            return;
          }
          case 'chat_request_accepted':
            handlers.onChatRequestAccepted?.(frame.data);
            return;
          case 'receipt':
            handlers.onReceipt?.(frame.data);
            return;
          case 'typing':
            handlers.onTyping?.(frame.data);
            return;
          case 'presence':
            handlers.onPresence?.(frame.data);
            return;
          default:
            return;
        }
      },
      ...(handlers.onState ? { onState: handlers.onState } : {}),
      onSessionEnded: () => handlers.onSessionEnded?.(),
    });
    client.start();
    return client;
  }

  // ---- verification ----------------------------------------------------------

  /** The safety number both sides compare out of band (pins the contact's key if this is first contact). */
  async safetyNumber(withUser: string): Promise<SafetyNumberInfo> {
    const me = this.me();
    const contact = await this.resolveUser(withUser);
    const bundle = await this.keys.current(contact.id, contact.username);
    const pin = (await this.keys.pinOf(contact.id)) as Pin;
    const groups = safetyNumber(
      { userId: me.userId, identityKey: (me.identities[0] as Identity).identityKey },
      { userId: contact.id, identityKey: fromBase64(pin.identity_key) },
    );
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
    const me = this.me();
    const contact = await this.lookUpUser(withUser);
    const named = contact.username !== contact.id;
    const bundle = await this.keys.candidate(contact.id, named ? contact.username : undefined);
    const pin = await this.profile.pin(me.userId, contact.id);
    const identityKey = toBase64(bundle.identityKey);
    const nameHolds =
      !named ||
      (await this.keys.checkIdentity(contact.id, contact.username).then(
        () => true,
        () => false,
      ));
    const groups = safetyNumber(
      { userId: me.userId, identityKey: (me.identities[0] as Identity).identityKey },
      { userId: contact.id, identityKey: bundle.identityKey },
    );
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
    const contact = await this.resolveUser(withUser);
    // A pending key change must be accepted first: "verified" always means the key shown last.
    await this.keys.current(contact.id, contact.username !== contact.id ? contact.username : undefined);
    return this.keys.markVerified(contact.id);
  }

  /**
   * Accepts the contact's new identity key, or that their username now belongs
   * to this id (after a key_changed / identity_changed warning and a comparison
   * of `candidateSafetyNumber`). With `expectedIdentityKey` (the candidate's
   * `identityKey`), a key that changed again since it was shown is refused.
   */
  async acceptNewKey(withUser: string, expectedIdentityKey?: string): Promise<Pin> {
    this.me();
    const contact = await this.lookUpUser(withUser);
    const named = contact.username !== contact.id;
    return this.keys.acceptNewKey(contact.id, named ? contact.username : undefined, expectedIdentityKey);
  }

  // ---- by id, one call each (the web app's list screens already hold ids) ----

  /** Withdraws a pending request this account sent. */
  async cancelRequest(requestId: string): Promise<TChatRequest> {
    this.me();
    return call(() => this.api.trpc.chatRequests.cancel.mutate({ id: requestId }));
  }

  /** Blocks a user: no requests or messages either way until unblocked (idempotent). */
  async block(userId: string): Promise<{ user_id: string; blocked: boolean }> {
    this.me();
    return call(() => this.api.trpc.contacts.block.mutate({ user_id: userId }));
  }

  async unblock(userId: string): Promise<{ user_id: string; blocked: boolean }> {
    this.me();
    return call(() => this.api.trpc.contacts.unblock.mutate({ user_id: userId }));
  }

  /** Users this account blocked (contacts or not). */
  async blockedUsers(): Promise<Array<{ id: string; username: string; blocked_at: string }>> {
    this.me();
    return call(() => this.api.trpc.contacts.blocked.query({ limit: 100 }));
  }

  /** Marks a conversation read up to a seq; the contact gets a live receipt. */
  async markRead(contactId: string, upToSeq: number): Promise<TReadReceipt> {
    this.me();
    return call(() => this.api.trpc.messages.read.mutate({ contact_id: contactId, up_to: upToSeq }));
  }

  /**
   * One page of a conversation, decrypted, oldest first within the page. Pass
   * the returned `next_cursor` as `before` for the page before it (null: none).
   */
  async historyPage(contactId: string, opts: { before?: string; limit?: number } = {}): Promise<HistoryPage> {
    const me = this.me();
    const page = await call(() =>
      this.api.trpc.messages.conversation.query({
        contact_id: contactId,
        limit: opts.limit ?? 50,
        ...(opts.before !== undefined ? { before: opts.before } : {}),
      }),
    ).catch((err) => {
      if (err instanceof LockboxApiError && err.code === 'not_found')
        throw new SessionError('not_a_contact', 'you have no conversation with this user');
      throw err;
    });
    const decrypted: DecryptedMessage[] = [];
    for (const m of page.messages)
      decrypted.push(await decryptMessage(this.keys, me, m, { counterpart: contactId }));
    return {
      conversation_id: page.conversation_id,
      messages: await this.seenMessages(me).check(decrypted),
      next_cursor: page.next_cursor,
      read_up_to: page.read_up_to,
    };
  }

  /** Sends a text to a user already known by id (no directory look-up first). */
  async sendTextTo(to: TUser, text: string) {
    const me = this.me();
    return sendPayload(this.api.trpc, this.keys, me, to, { type: 'text', text }, this.random);
  }
}

export interface HistoryPage {
  conversation_id: string;
  messages: DecryptedMessage[];
  next_cursor: string | null;
  /** The highest seq each side has marked read (0: none). */
  read_up_to: { mine: number; theirs: number };
}
