/** What the auth procedures share, built once at start. */
import type { Database } from '@lockbox/service-kit';
import type { AuthEnv } from './env';
import type { AuthLimits } from './limits';
import type { PasswordHasher } from './passwords';
import type { PreloginSalts } from './prelogin';
import type { SessionStore } from './sessions';
import type { TokenIssuer } from './token-issuer';

export interface AuthDeps {
  env: AuthEnv;
  db: Database;
  passwords: PasswordHasher;
  sessions: SessionStore;
  issuer: TokenIssuer;
  limits: AuthLimits;
  prelogin: PreloginSalts;
}
