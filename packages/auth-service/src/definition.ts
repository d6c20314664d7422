/** The auth service as service-kit runs it. */
import { authContract } from '@lockbox/contracts';
import { LIMITER_REDIS_OPTIONS, migrationsDirOf, type ServiceDefinition } from '@lockbox/service-kit';
import { Redis } from 'ioredis';
import type { AuthDeps } from './deps';
import { ZAuthEnv } from './env';
import { createAuthLimits } from './limits';
import { createPasswordHasher } from './passwords';
import { createPreloginSalts } from './prelogin';
import { createAuthRouter } from './router';
import { createLocalAuthenticator } from './router/auth';
import { createSessionStore } from './sessions';
import { createTokenIssuer } from './token-issuer';

export const authService: ServiceDefinition<typeof ZAuthEnv> = {
  name: 'auth',
  schema: 'lockbox_auth',
  defaultPort: 8001,
  migrationsDir: migrationsDirOf(import.meta.url),
  env: ZAuthEnv,
  setup: async ({ env, db, log }) => {
    const redis = env.REDIS_URL
      ? new Redis(env.REDIS_URL, { ...LIMITER_REDIS_OPTIONS, lazyConnect: false })
      : undefined;
    redis?.on('error', (err) =>
      log.warn({ err: err.message }, 'redis error (rate limits fall back to memory)'),
    );
    const issuer = await createTokenIssuer(db);
    const sessions = createSessionStore(db, issuer, env.SESSION_TTL_DAYS);
    const deps: AuthDeps = {
      env,
      db,
      issuer,
      sessions,
      passwords: await createPasswordHasher(env),
      limits: createAuthLimits(env, redis, env.LOCKBOX_REDIS_PREFIX),
      prelogin: await createPreloginSalts(db),
    };
    return {
      router: createAuthRouter(deps),
      contracts: [authContract],
      authenticate: createLocalAuthenticator(deps),
      onClose: async () => {
        redis?.disconnect();
      },
    };
  },
};
