/**
 * Chat requests: send (by id or username), incoming, outgoing, respond, cancel.
 * Only the recipient answers a request and only its sender cancels it. A block
 * either way refuses a request with a plain 403 that says no more than needed.
 */
import { base64DecodedBytes, type MessagesContract, type TChatRequest, type TUser } from '@lockbox/contracts';
import { AppError, type HandlersOf } from '@lockbox/service-kit';
import type { MessagesDeps } from '../deps';
import { incomingRequests, outgoingRequests } from '../store/lists';
import {
  acceptRequest,
  findRequest,
  insertRequest,
  lockPair,
  pendingBetween,
  relationOf,
  settleRequest,
} from '../store/relationships';
import { type ChatRequestRow, toChatRequest } from '../store/rows';
import { userLookup } from './user-lookup';

const unknownRequest = () => new AppError('not_found', 'no such chat request');

export const chatRequestsHandlers = (deps: MessagesDeps): HandlersOf<MessagesContract['chatRequests']> => {
  const resolveTarget = async (input: { to_user_id?: string; to_username?: string }): Promise<TUser> => {
    const target = input.to_user_id
      ? (await deps.users.byIds([input.to_user_id])).get(input.to_user_id)
      : await deps.users.byUsername(input.to_username as string);
    if (!target) throw new AppError('not_found', 'no such user');
    return target;
  };

  return {
    send: async ({ input, ctx }) => {
      const me = ctx.user.id;
      // Every attempt counts, refused ones too: a stream of probes is spam as well.
      await deps.limits.chatRequestsPerUser.consume(me);
      if (input.to_user_id === me)
        throw new AppError('invalid_input', 'you cannot send a request to yourself');
      const target = await resolveTarget(input);
      if (target.id === me) throw new AppError('invalid_input', 'you cannot send a request to yourself');
      // A sealed note is an envelope like a message's: the same size limit (413 above it).
      const sealedSize = input.sealed_message ? base64DecodedBytes(input.sealed_message.encrypted_blob) : 0;
      if (sealedSize > deps.env.MESSAGE_BLOB_MAX_BYTES)
        throw new AppError(
          'payload_too_large',
          `sealed_message.encrypted_blob is ${sealedSize} bytes; the limit is ${deps.env.MESSAGE_BLOB_MAX_BYTES}`,
        );

      const outcome = await deps.db.transaction(async (tx) => {
        await lockPair(tx, me, target.id);
        const relation = await relationOf(tx, me, target.id);
        if (relation.iBlocked) throw new AppError('forbidden', 'you blocked this user; unblock them first');
        if (relation.theyBlocked)
          throw new AppError('forbidden', 'you cannot send a chat request to this user');
        if (relation.conversationId) throw new AppError('conflict', 'you are already contacts');
        const pending = await pendingBetween(tx, me, target.id);
        if (pending?.from_user_id === me)
          throw new AppError('conflict', 'you already have a pending request to this user');
        // They asked first: asking back is a yes.
        if (pending) return { kind: 'accepted' as const, request: await acceptRequest(tx, pending) };
        return {
          kind: 'sent' as const,
          request: await insertRequest(tx, me, target.id, {
            message: input.message ?? null,
            sealed: input.sealed_message ?? null,
          }),
        };
      });

      const request = toChatRequest(outcome.request);
      if (outcome.kind === 'accepted') {
        ctx.log.info({ requestId: request.id }, 'mutual chat request: connected');
        deps.delivery.deliver({
          recipients: [target.id],
          event: { type: 'chat_request_accepted', data: request },
        });
      } else {
        deps.delivery.deliver({
          recipients: [target.id],
          event: {
            type: 'chat_request',
            data: { ...request, from_user: { id: me, username: ctx.user.username } },
          },
        });
      }
      return request;
    },

    incoming: async ({ input, ctx }) => {
      const rows = await incomingRequests(deps.db, ctx.user.id, input.limit, input.after);
      const userOf = await userLookup(
        deps,
        rows.map((r) => r.from_user_id),
      );
      return rows.map((r) => ({ ...toChatRequest(r), from_user: userOf(r.from_user_id) }));
    },

    outgoing: async ({ input, ctx }) => {
      const rows = await outgoingRequests(deps.db, ctx.user.id, input.limit, input.after);
      const userOf = await userLookup(
        deps,
        rows.map((r) => r.to_user_id),
      );
      return rows.map((r) => ({ ...toChatRequest(r), to_user: userOf(r.to_user_id) }));
    },

    respond: async ({ input, ctx }) => {
      const me = ctx.user.id;
      const seen = await findRequest(deps.db, input.request_id);
      if (!seen) throw unknownRequest();
      if (seen.to_user_id !== me)
        throw new AppError('forbidden', 'only the recipient of a request may answer it');

      const settled = await deps.db.transaction(async (tx): Promise<ChatRequestRow> => {
        await lockPair(tx, seen.from_user_id, seen.to_user_id);
        const request = (await findRequest(tx, seen.id, { forUpdate: true })) ?? seen;
        if (request.status !== 'pending')
          throw new AppError('conflict', `this request was already ${request.status}`);
        if (input.action === 'decline') return settleRequest(tx, request.id, 'declined');
        const relation = await relationOf(tx, me, request.from_user_id);
        if (relation.iBlocked) throw new AppError('forbidden', 'you blocked this user; unblock them first');
        if (relation.theyBlocked) throw new AppError('forbidden', 'you cannot connect with this user');
        return acceptRequest(tx, request);
      });

      const request: TChatRequest = toChatRequest(settled);
      if (settled.status === 'accepted')
        deps.delivery.deliver({
          recipients: [settled.from_user_id],
          event: { type: 'chat_request_accepted', data: request },
        });
      return request;
    },

    cancel: async ({ input, ctx }) => {
      const seen = await findRequest(deps.db, input.id);
      if (!seen) throw unknownRequest();
      if (seen.from_user_id !== ctx.user.id)
        throw new AppError('forbidden', 'only the sender of a request may cancel it');
      const cancelled = await deps.db.transaction(async (tx) => {
        await lockPair(tx, seen.from_user_id, seen.to_user_id);
        const request = (await findRequest(tx, seen.id, { forUpdate: true })) ?? seen;
        if (request.status !== 'pending')
          throw new AppError('conflict', `this request was already ${request.status}`);
        return settleRequest(tx, request.id, 'cancelled');
      });
      return toChatRequest(cancelled);
    },
  };
};
