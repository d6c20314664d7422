/**
 * Remembers access tokens already verified, until they expire. Measured, the
 * EdDSA signature check was a fifth of the service's CPU per send, and a
 * client presents the same token for all its requests for up to 15 minutes.
 * Only the signature and claims check is skipped on a hit: the session is
 * still checked against the revocation list on every request, and an entry
 * never outlives the token's own `exp`.
 */
import type { AuthUser } from '@lockbox/service-kit';

interface Entry {
  user: AuthUser;
  /** ms since epoch; the token's exp. */
  until: number;
}

export interface VerifiedTokens {
  get(token: string): AuthUser | undefined;
  remember(token: string, user: AuthUser): void;
}

/** The `exp` of a token that has just passed verification (so its payload is well-formed JSON). */
const expiryOf = (token: string): number | undefined => {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
      exp?: unknown;
    };
    return typeof payload.exp === 'number' ? payload.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
};

export const createVerifiedTokens = (maxEntries: number): VerifiedTokens => {
  const entries = new Map<string, Entry>();
  return {
    get: (token) => {
      const entry = entries.get(token);
      if (!entry) return undefined;
      if (entry.until <= Date.now()) {
        entries.delete(token);
        return undefined;
      }
      return entry.user;
    },
    remember: (token, user) => {
      const until = expiryOf(token);
      if (until === undefined || maxEntries === 0) return;
      entries.delete(token);
      entries.set(token, { user, until });
      // Oldest first in a Map: drop from the front past the bound.
      while (entries.size > maxEntries) {
        const oldest = entries.keys().next().value;
        if (oldest === undefined) break;
        entries.delete(oldest);
      }
    },
  };
};
