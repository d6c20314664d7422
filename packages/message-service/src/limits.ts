/**
 * Spam limits. Chat requests count per sender, every attempt (a stream of
 * refused requests is spam too); in Redis when REDIS_URL is set so every
 * instance shares the count, in memory otherwise.
 */
import { createLimiter, type Limiter } from '@lockbox/service-kit';
import type { Redis } from 'ioredis';
import type { MessagesEnv } from './env';

export interface MessageLimits {
  chatRequestsPerUser: Limiter;
}

export const createMessageLimits = (
  env: MessagesEnv,
  redis: Redis | undefined,
  prefix: string,
): MessageLimits => ({
  chatRequestsPerUser: createLimiter(
    {
      name: 'chat-requests-user',
      points: env.RL_CHAT_REQUESTS_PER_USER,
      windowSeconds: env.RL_CHAT_REQUESTS_WINDOW_S,
    },
    redis,
    prefix,
  ),
});
