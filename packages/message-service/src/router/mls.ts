/**
 * The MLS Delivery Service's procedures (docs/SECURITY.md 10.14): sendMls and
 * mlsEpoch. The sender is always the token's user; the server checks who may
 * talk to whom, sizes and the commit order, and reads only each message's cleartext
 * header (mls-header.ts): group id, epoch and content type must match the request.
 */
import { base64DecodedBytes, type MessagesContract } from '@lockbox/contracts';
import { AppError, type HandlersOf } from '@lockbox/service-kit';
import type { MessagesDeps } from '../deps';
import { mlsEpochWith, storeMls } from '../store/mls';
import { checkMlsHeaders } from './mls-header';

type MlsHandlers = Pick<HandlersOf<MessagesContract['messages']>, 'sendMls' | 'mlsEpoch'>;

export const mlsHandlers = (deps: MessagesDeps): MlsHandlers => ({
  sendMls: async ({ input, ctx }) => {
    const me = ctx.user.id;
    if (input.recipient_id === me) throw new AppError('invalid_input', 'you cannot message yourself');
    const size = base64DecodedBytes(input.message);
    if (size > deps.env.MESSAGE_BLOB_MAX_BYTES)
      throw new AppError(
        'payload_too_large',
        `message is ${size} bytes; the limit is ${deps.env.MESSAGE_BLOB_MAX_BYTES}`,
      );
    const claimed = checkMlsHeaders(input);
    const stored = await storeMls(deps.db, me, input, claimed);
    if (stored.fresh) {
      // Like a v1 send: each item to the recipient and to the sender's own other sockets, each with
      // that viewer's cursor, in stream order (a commit before its Welcome).
      deps.delivery.deliver(
        ...stored.fresh.flatMap((item) => [
          {
            recipients: [input.recipient_id],
            event: { type: 'new_message' as const, data: item.forRecipient },
          },
          { recipients: [me], event: { type: 'new_message' as const, data: item.forSender } },
        ]),
      );
    } else {
      ctx.log.info({ messageId: stored.answer.message_id }, 'MLS send retried: original answer returned');
    }
    return stored.answer;
  },

  mlsEpoch: async ({ input, ctx }) => mlsEpochWith(deps.db, ctx.user.id, input.contact_id),
});
