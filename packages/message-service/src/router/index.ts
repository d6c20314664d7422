/** The message service's router: the contract implemented by one small handler file per namespace. */
import { messagesContract } from '@lockbox/contracts';
import { implement } from '@lockbox/service-kit';
import type { MessagesDeps } from '../deps';
import { chatRequestsHandlers } from './chat-requests';
import { contactsHandlers } from './contacts';
import { internalHandlers } from './internal';
import { messagesHandlers } from './messages';

export const createMessagesRouter = (deps: MessagesDeps) =>
  implement(messagesContract, {
    chatRequests: chatRequestsHandlers(deps),
    contacts: contactsHandlers(deps),
    messages: messagesHandlers(deps),
    internal: internalHandlers(deps),
  });
