/**
 * Service-to-service trust. One shared secret (env, or a 0600 file under the
 * data dir, made on first start) yields two distinct credentials:
 * - the internal token, which internal procedures require;
 * - the gateway token, with which the gateway vouches for the client address it
 *   forwards. A proxied public request never carries the internal token, so a
 *   routing mistake at the gateway still can't reach an internal procedure.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export const INTERNAL_HEADER = 'x-lockbox-internal';
export const GATEWAY_HEADER = 'x-lockbox-gateway';
export const CLIENT_IP_HEADER = 'x-lockbox-client-ip';

export interface ServiceCredentials {
  internalToken: string;
  gatewayToken: string;
}

export const loadSharedSecret = (envSecret: string | undefined, dataDir: string): string => {
  if (envSecret) return envSecret;
  const file = path.join(dataDir, 'internal-secret');
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    fs.mkdirSync(dataDir, { recursive: true });
    const secret = randomBytes(32).toString('base64url');
    try {
      // wx: if another service wrote it first, read theirs.
      fs.writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
      return secret;
    } catch {
      return fs.readFileSync(file, 'utf8').trim();
    }
  }
};

export const deriveCredentials = (secret: string): ServiceCredentials => ({
  internalToken: createHmac('sha256', secret).update('lockbox/internal/v1').digest('base64url'),
  gatewayToken: createHmac('sha256', secret).update('lockbox/gateway/v1').digest('base64url'),
});

export const safeEqual = (given: string | string[] | undefined, expected: string): boolean => {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
};
