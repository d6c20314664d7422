/**
 * Credentials every user route must refuse with 401. Each is built from a
 * real session so it fails for one reason only: no token, garbage, a token
 * signed by a key auth never had, a real token with edited claims, a refresh
 * token in place of an access token, and a real token of a logged-out session.
 */
import { generateKeyPairSync, sign } from 'node:crypto';

export interface BadCredential {
  label: string;
  /** The Authorization header to send, or undefined for none. */
  authorization: string | undefined;
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export const badCredentials = (opts: {
  /** A live session's tokens (their claims are the template). */
  live: { token: string; refreshToken: string };
  /** Someone else's user id, for the tampered `sub`. */
  otherUserId: string;
  /** An access token whose session has logged out. */
  loggedOutToken: string;
}): BadCredential[] => {
  const [header, payload, signature] = opts.live.token.split('.') as [string, string, string];
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
  const now = Math.floor(Date.now() / 1000);
  const edited = (changes: Record<string, unknown>) => `${header}.${b64url({ ...claims, ...changes })}`;
  const foreignKey = generateKeyPairSync('ed25519').privateKey;
  const fresh = edited({ iat: now, exp: now + 600 });
  const foreignSignature = sign(null, Buffer.from(fresh), foreignKey).toString('base64url');
  return [
    { label: 'no token', authorization: undefined },
    { label: 'garbage token', authorization: 'Bearer not-a-token' },
    { label: 'signed by another key', authorization: `Bearer ${fresh}.${foreignSignature}` },
    { label: 'tampered sub', authorization: `Bearer ${edited({ sub: opts.otherUserId })}.${signature}` },
    { label: 'expired (exp moved back)', authorization: `Bearer ${edited({ exp: now - 60 })}.${signature}` },
    { label: 'refresh token', authorization: `Bearer ${opts.live.refreshToken}` },
    { label: 'logged-out session', authorization: `Bearer ${opts.loggedOutToken}` },
  ];
};

/** The error code of a REST error body, or of a tRPC one (`error.data.app_code`). */
export const errorCodeOf = (json: unknown): string | undefined => {
  const error = (json as { error?: { code?: unknown; data?: { app_code?: unknown } } } | undefined)?.error;
  if (typeof error?.code === 'string') return error.code;
  return typeof error?.data?.app_code === 'string' ? error.data.app_code : undefined;
};
