/** What realtime-service asks for (resume, presence, typing); only with the internal credential, never routed by the gateway. */
import type { MessagesContract } from '@lockbox/contracts';
import type { HandlersOf } from '@lockbox/service-kit';
import type { MessagesDeps } from '../deps';
import { openContactIds } from '../store/lists';
import { headCursor } from '../store/messages';
import { streamPage } from './messages';

export const internalHandlers = (deps: MessagesDeps): HandlersOf<MessagesContract['internal']> => ({
  messagesAfter: async ({ input }) => streamPage(deps.db, input.user_id, input.after, input.limit),
  headCursor: async ({ input }) => ({ cursor: await headCursor(deps.db, input.user_id) }),
  contactIds: async ({ input }) => ({ contact_ids: await openContactIds(deps.db, input.user_id) }),
});
