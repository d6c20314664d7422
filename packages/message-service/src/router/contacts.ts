/** Contacts (accepted requests) and blocks. Blocking is idempotent and says nothing to the blocked user. */
import type { MessagesContract } from '@lockbox/contracts';
import { AppError, type HandlersOf } from '@lockbox/service-kit';
import type { MessagesDeps } from '../deps';
import { blockedPage, contactsPage } from '../store/lists';
import { lockPair, setBlock } from '../store/relationships';
import { iso } from '../store/rows';
import { userLookup } from './user-lookup';

export const contactsHandlers = (deps: MessagesDeps): HandlersOf<MessagesContract['contacts']> => ({
  list: async ({ input, ctx }) => {
    const rows = await contactsPage(deps.db, ctx.user.id, input.limit, input.after);
    const userOf = await userLookup(
      deps,
      rows.map((r) => r.contact_id),
    );
    return rows.map((r) => ({
      id: r.contact_id,
      username: userOf(r.contact_id).username,
      since: iso(r.since),
      conversation_id: r.conversation_id,
      blocked: r.blocked,
    }));
  },

  blocked: async ({ input, ctx }) => {
    const rows = await blockedPage(deps.db, ctx.user.id, input.limit, input.after);
    const userOf = await userLookup(
      deps,
      rows.map((r) => r.blocked_id),
    );
    return rows.map((r) => ({
      id: r.blocked_id,
      username: userOf(r.blocked_id).username,
      blocked_at: iso(r.created_at),
    }));
  },

  block: async ({ input, ctx }) => {
    const me = ctx.user.id;
    if (input.user_id === me) throw new AppError('invalid_input', 'you cannot block yourself');
    const found = await deps.users.byIds([input.user_id]);
    if (!found.has(input.user_id)) throw new AppError('not_found', 'no such user');
    // Under the pair lock, so no request between the two can slip in beside the block.
    await deps.db.transaction(async (tx) => {
      await lockPair(tx, me, input.user_id);
      await setBlock(tx, me, input.user_id, true);
    });
    ctx.log.info({ blocked: input.user_id }, 'user blocked');
    return { user_id: input.user_id, blocked: true };
  },

  unblock: async ({ input, ctx }) => {
    const me = ctx.user.id;
    if (input.user_id === me) throw new AppError('invalid_input', 'you cannot block yourself');
    await deps.db.transaction(async (tx) => {
      await lockPair(tx, me, input.user_id);
      await setBlock(tx, me, input.user_id, false);
    });
    return { user_id: input.user_id, blocked: false };
  },
});
