/**
 * `session.requests`: asking someone to connect and answering such asks. Notes
 * are sealed end to end (see ../request-notes.ts) and opened on every read.
 */
import type { TChatRequest } from '@lockbox/contracts';
import { call, LockboxApiError } from '../../api/errors';
import { SessionError } from '../errors';
import type { SessionInternals } from '../internals';
import { USER_ID } from '../people';
import { sealRequestNote, withOpenedNote } from '../request-notes';

export type RequestsContext = Pick<SessionInternals, 'api' | 'keys' | 'random' | 'signedIn' | 'people'>;

export class RequestsDomain {
  readonly #ctx: RequestsContext;

  constructor(ctx: RequestsContext) {
    this.#ctx = ctx;
  }

  /**
   * Asks a user to connect. The note is sealed to their (pinned, or now
   * TOFU-pinned) key bundle like a message; the plaintext `message` field is
   * never sent. A user without published keys gets no note (`no_keys`).
   */
  async send(nameOrId: string, note?: string): Promise<TChatRequest> {
    this.#ctx.signedIn.me();
    const input = note
      ? await this.#sealedRequestTo(nameOrId, note)
      : USER_ID.test(nameOrId)
        ? { to_user_id: nameOrId }
        : { to_username: nameOrId };
    return call(() => this.#ctx.api.trpc.chatRequests.send.mutate(input)).catch((err) => {
      if (err instanceof LockboxApiError && err.code === 'not_found')
        throw new SessionError('unknown_user', `no user named "${nameOrId}"`);
      throw err;
    });
  }

  /** A request body whose note is sealed to the user's key bundle (pinned on first use). */
  async #sealedRequestTo(nameOrId: string, note: string) {
    const me = this.#ctx.signedIn.me();
    const user = await this.#ctx.people.resolve(nameOrId);
    const username = user.username === user.id ? undefined : user.username;
    const identity = await this.#ctx.keys.current(user.id, username).catch((err) => {
      if (err instanceof LockboxApiError && err.code === 'not_found')
        throw new SessionError(
          'no_keys',
          `${user.username} has not set up end-to-end encryption (no published keys), so the note cannot be encrypted; send the request without a note`,
        );
      throw err;
    });
    return {
      to_user_id: user.id,
      sealed_message: sealRequestNote(me, { id: user.id, identity }, note, this.#ctx.random),
    };
  }

  async #rawIncoming() {
    this.#ctx.signedIn.me();
    return call(() => this.#ctx.api.trpc.chatRequests.incoming.query({ limit: 100 }));
  }

  /** Pending requests to me, each note opened and verified (or refused, or flagged unencrypted). */
  async incoming() {
    const me = this.#ctx.signedIn.me();
    const requests = await this.#rawIncoming();
    const out = [];
    for (const r of requests) out.push(await withOpenedNote(this.#ctx.keys, me, r));
    return out;
  }

  /** My pending requests, each with the note as I sealed it (opened with my own keys). */
  async outgoing() {
    const me = this.#ctx.signedIn.me();
    const requests = await call(() => this.#ctx.api.trpc.chatRequests.outgoing.query({ limit: 100 }));
    const out = [];
    for (const r of requests) out.push(await withOpenedNote(this.#ctx.keys, me, r));
    return out;
  }

  /** Accepts or declines a pending request, named by its id or by who sent it. */
  async respond(requestOrUser: string, action: 'accept' | 'decline'): Promise<TChatRequest> {
    const incoming = await this.#rawIncoming();
    const needle = requestOrUser.toLowerCase();
    const request = incoming.find(
      (r) =>
        r.id === requestOrUser ||
        r.from_user.id === requestOrUser ||
        r.from_user.username.toLowerCase() === needle,
    );
    if (!request)
      throw new SessionError('unknown_request', `no pending request from or with id "${requestOrUser}"`);
    // Accepting makes them a contact under that name: the name must be theirs (see contacts.resolveUser).
    if (action === 'accept')
      await this.#ctx.keys.checkIdentity(request.from_user.id, request.from_user.username);
    return call(() => this.#ctx.api.trpc.chatRequests.respond.mutate({ request_id: request.id, action }));
  }

  /** Withdraws a pending request this account sent. */
  async cancel(requestId: string): Promise<TChatRequest> {
    this.#ctx.signedIn.me();
    return call(() => this.#ctx.api.trpc.chatRequests.cancel.mutate({ id: requestId }));
  }
}
