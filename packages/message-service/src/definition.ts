/** The message service as service-kit runs it. */
import { messagesContract } from '@lockbox/contracts';
import { LIMITER_REDIS_OPTIONS, migrationsDirOf, type ServiceDefinition } from '@lockbox/service-kit';
import { Redis } from 'ioredis';
import { createAuthenticator } from './authenticate';
import type { MessagesDeps } from './deps';
import { ZMessagesEnv } from './env';
import { createMessageLimits } from './limits';
import { createDelivery } from './peers/delivery';
import { createUserDirectory } from './peers/user-directory';
import { createMessagesRouter } from './router';

export const messagesService: ServiceDefinition<typeof ZMessagesEnv> = {
  name: 'messages',
  schema: 'lockbox_messages',
  defaultPort: 8002,
  migrationsDir: migrationsDirOf(import.meta.url),
  env: ZMessagesEnv,
  setup: async ({ env, db, log, credentials }) => {
    const redis = env.REDIS_URL
      ? new Redis(env.REDIS_URL, { ...LIMITER_REDIS_OPTIONS, lazyConnect: false })
      : undefined;
    redis?.on('error', (err) =>
      log.warn({ err: err.message }, 'redis error (rate limits fall back to memory)'),
    );
    const auth = createAuthenticator({
      authUrls: env.AUTH_URLS,
      internalToken: credentials.internalToken,
      timeoutMs: env.AUTH_TIMEOUT_MS,
      pollMs: env.REVOCATIONS_POLL_MS,
      cacheEntries: env.TOKEN_CACHE_ENTRIES,
      log,
    });
    auth.revocations.start();
    const deps: MessagesDeps = {
      env,
      db,
      users: createUserDirectory({
        urls: env.AUTH_URLS,
        internalToken: credentials.internalToken,
        timeoutMs: env.AUTH_TIMEOUT_MS,
        log,
      }),
      delivery: createDelivery({
        urls: env.REALTIME_URLS,
        internalToken: credentials.internalToken,
        timeoutMs: env.REALTIME_TIMEOUT_MS,
        maxInFlight: env.REALTIME_MAX_IN_FLIGHT,
        log,
      }),
      limits: createMessageLimits(env, redis, env.LOCKBOX_REDIS_PREFIX),
    };
    return {
      router: createMessagesRouter(deps),
      contracts: [messagesContract],
      authenticate: auth.authenticate,
      onClose: async () => {
        auth.revocations.stop();
        await deps.delivery.drain();
        redis?.disconnect();
      },
    };
  },
};
