/**
 * The public key directory. A bundle is accepted only when its identity key
 * signed it for *this* user (the id and username come from the token, never
 * the body), in version 2 (which signs the username; version 1 is read-only
 * legacy), with a sane created_at, and under strict RFC 8032 verification.
 */
import {
  type AuthContract,
  canonicalUsername,
  keyBundleHeaderProblem,
  keyBundleSigningBytes,
  type TKeyBundle,
} from '@lockbox/contracts';
import { AppError, type HandlersOf } from '@lockbox/service-kit';
import { ed25519 } from '@noble/curves/ed25519.js';
import type { AuthDeps } from '../deps';

const b64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));

export const verifyBundleSignature = (userId: string, bundle: TKeyBundle): boolean => {
  const { signature, ...unsigned } = bundle;
  try {
    // zip215: false is RFC 8032 strict (canonical encodings, no small-order keys), as the clients
    // verify: a bundle the directory accepts must be one every client accepts too.
    return ed25519.verify(b64(signature), keyBundleSigningBytes(userId, unsigned), b64(bundle.identity_key), {
      zip215: false,
    });
  } catch {
    return false;
  }
};

interface BundleRow {
  bundle: TKeyBundle;
  published_at: Date;
}

export const keysHandlers = (deps: AuthDeps): HandlersOf<AuthContract['keys']> => ({
  publish: async ({ input, ctx }) => {
    const headerProblem = keyBundleHeaderProblem(input);
    if (headerProblem) throw new AppError('invalid_input', headerProblem);
    if (input.version !== 2)
      throw new AppError('invalid_input', 'key bundle version 1 is read-only: publish version 2');
    if (input.username !== canonicalUsername(ctx.user.username))
      throw new AppError('invalid_input', "the bundle's username is not this account's username");
    if (!verifyBundleSignature(ctx.user.id, input))
      throw new AppError(
        'invalid_input',
        'bundle signature does not verify with its identity key for this account',
      );
    const [row] = await deps.db.query<{ published_at: Date }>(
      `INSERT INTO lockbox_auth.key_bundles (user_id, bundle, published_at) VALUES ($1, $2, now())
       ON CONFLICT (user_id) DO UPDATE SET bundle = EXCLUDED.bundle, published_at = now()
       RETURNING published_at`,
      [ctx.user.id, JSON.stringify(input)],
    );
    ctx.log.info('key bundle published');
    return {
      ...input,
      user_id: ctx.user.id,
      published_at: (row as { published_at: Date }).published_at.toISOString(),
    };
  },

  get: async ({ input }) => {
    const [row] = await deps.db.query<BundleRow>(
      'SELECT bundle, published_at FROM lockbox_auth.key_bundles WHERE user_id = $1',
      [input.user_id],
    );
    if (!row) throw new AppError('not_found', 'that user has published no keys');
    return { ...row.bundle, user_id: input.user_id, published_at: row.published_at.toISOString() };
  },
});
