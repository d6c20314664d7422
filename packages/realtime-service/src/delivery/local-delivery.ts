/**
 * Hands frames to the sockets this instance holds. Each frame is serialised
 * once per fan-out, whatever the number of sockets it reaches.
 */
import type { TServerFrame } from '@lockbox/contracts';
import type { ConnectionRegistry } from '../socket/registry';

/** One frame for some users, or `all` sockets (operator notices). */
export interface Delivery {
  to: string[] | 'all';
  frame: TServerFrame;
}

export interface LocalDeliveryHooks {
  /** Both ends of an accepted request gain a contact: cached contact lists are stale, presence is news. */
  contactsChanged(userIds: [string, string]): void;
  /** A live message reached sockets here: its `created_at`, for the delivery-lag metric. */
  messageHandedOver?(createdAt: unknown): void;
}

export const createLocalDelivery = (registry: ConnectionRegistry, hooks: LocalDeliveryHooks) => {
  return (deliveries: Delivery[]): number => {
    let sent = 0;
    for (const { to, frame } of deliveries) {
      if (frame.type === 'chat_request_accepted')
        hooks.contactsChanged([frame.data.from_user_id, frame.data.to_user_id]);
      let json: string | undefined;
      if (to === 'all') {
        json = JSON.stringify(frame);
        for (const conn of registry.all()) if (conn.sendRaw(json)) sent++;
        continue;
      }
      let handedOver = false;
      for (const userId of to) {
        const sockets = registry.forUser(userId);
        if (!sockets) continue;
        handedOver = true;
        json ??= JSON.stringify(frame);
        for (const conn of sockets) {
          if (frame.type === 'new_message') conn.offerMessage(frame, json);
          else conn.sendRaw(json);
          sent++;
        }
      }
      // Once per frame and instance, not per socket: the lag is the message's, not each tab's.
      if (handedOver && frame.type === 'new_message') hooks.messageHandedOver?.(frame.data.created_at);
    }
    return sent;
  };
};

export type LocalDelivery = ReturnType<typeof createLocalDelivery>;
