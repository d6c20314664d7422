/**
 * Brute-force and spam limits. Login counts every attempt per IP, and failures
 * per account+IP (tight) and per account from everywhere (looser, against
 * distributed guessing). Blocks expire, so the real owner is never locked out
 * for good, and a success clears that account+IP's failures.
 */
import { createLimiter, type Limiter } from '@lockbox/service-kit';
import type { Redis } from 'ioredis';
import type { AuthEnv } from './env';

export interface AuthLimits {
  registerPerIp: Limiter;
  loginPerIp: Limiter;
  loginFailsPerAccountIp: Limiter;
  loginFailsPerAccount: Limiter;
  preloginPerIp: Limiter;
  keyPackageClaimsPerUser: Limiter;
}

export const createAuthLimits = (env: AuthEnv, redis: Redis | undefined, prefix: string): AuthLimits => ({
  registerPerIp: createLimiter(
    { name: 'register-ip', points: env.RL_REGISTER_PER_IP, windowSeconds: env.RL_REGISTER_WINDOW_S },
    redis,
    prefix,
  ),
  loginPerIp: createLimiter(
    { name: 'login-ip', points: env.RL_LOGIN_PER_IP, windowSeconds: env.RL_LOGIN_WINDOW_S },
    redis,
    prefix,
  ),
  loginFailsPerAccountIp: createLimiter(
    {
      name: 'login-fail-account-ip',
      points: env.RL_LOGIN_FAILS_PER_ACCOUNT_IP,
      windowSeconds: env.RL_LOGIN_WINDOW_S,
      blockSeconds: env.RL_LOGIN_BLOCK_S,
    },
    redis,
    prefix,
  ),
  loginFailsPerAccount: createLimiter(
    {
      name: 'login-fail-account',
      points: env.RL_LOGIN_FAILS_PER_ACCOUNT,
      windowSeconds: env.RL_LOGIN_WINDOW_S,
      blockSeconds: env.RL_LOGIN_BLOCK_S,
    },
    redis,
    prefix,
  ),
  preloginPerIp: createLimiter(
    { name: 'prelogin-ip', points: env.RL_PRELOGIN_PER_IP, windowSeconds: 60 },
    redis,
    prefix,
  ),
  keyPackageClaimsPerUser: createLimiter(
    { name: 'key-package-claim-user', points: env.RL_KEY_PACKAGE_CLAIMS_PER_MIN, windowSeconds: 60 },
    redis,
    prefix,
  ),
});
