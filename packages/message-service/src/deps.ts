/** What the message-service procedures share, built once at start. */
import type { Database } from '@lockbox/service-kit';
import type { MessagesEnv } from './env';
import type { MessageLimits } from './limits';
import type { Delivery } from './peers/delivery';
import type { UserDirectory } from './peers/user-directory';

export interface MessagesDeps {
  env: MessagesEnv;
  db: Database;
  users: UserDirectory;
  delivery: Delivery;
  limits: MessageLimits;
}
