/**
 * Access tokens signed with the deployment's own signing key, so a token with
 * one bad claim (expired, wrong audience, no exp…) fails for that claim and
 * not for its signature. The key is read the way an operator could: from the
 * auth service's database (Postgres), or from its PGlite directory while auth
 * is stopped (one process owns a PGlite directory), after which auth restarts.
 */
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { type Client, eventually, type Stack, type TestUser } from '@lockbox/testkit';
import { importJWK, type JWK, SignJWT } from 'jose';
import pg from 'pg';

const KEY_QUERY = "SELECT value FROM lockbox_auth.server_secrets WHERE name = 'access_token_signing_jwk'";

const readSigningJwk = async (stack: Stack): Promise<string> => {
  if (stack.databaseUrl) {
    const db = new pg.Client({ connectionString: stack.databaseUrl });
    await db.connect();
    try {
      return (await db.query<{ value: string }>(KEY_QUERY)).rows[0]?.value as string;
    } finally {
      await db.end();
    }
  }
  const auth = stack.get('auth');
  await auth.kill('SIGTERM');
  try {
    const db = await PGlite.create(path.join(stack.dataDir, 'auth'));
    try {
      return (await db.query<{ value: string }>(KEY_QUERY)).rows[0]?.value as string;
    } finally {
      await db.close();
    }
  } finally {
    await auth.start();
  }
};

export interface TokenForge {
  /** The JWKS `kid` and public key the deployment publishes. */
  kid: string;
  publicJwk: JWK;
  /** The claims auth put in `user`'s access token (the template of every forgery). */
  claims: Record<string, unknown>;
  /** Signs `user`'s claims with the real key: fresh iat/exp, then the overrides, minus `drop`. */
  forge(opts?: {
    header?: Record<string, unknown>;
    payload?: Record<string, unknown>;
    drop?: string[];
  }): Promise<string>;
}

export const tokenForge = async (stack: Stack, api: Client, user: TestUser): Promise<TokenForge> => {
  const key = await importJWK(JSON.parse(await readSigningJwk(stack)) as JWK, 'EdDSA');
  // Auth may have just restarted (PGlite): wait until the gateway sees it again.
  await eventually(async () => ((await api.get('/health')).status === 200 ? true : undefined), 30_000);
  const jwks = await api.get<{ keys: Array<JWK & { kid: string }> }>('/auth/.well-known/jwks.json');
  const publicJwk = jwks.json.keys[0] as JWK & { kid: string };
  const claims = JSON.parse(Buffer.from(user.token.split('.')[1] as string, 'base64url').toString());
  const now = () => Math.floor(Date.now() / 1000);
  return {
    kid: publicJwk.kid,
    publicJwk,
    claims,
    forge: (opts = {}) => {
      const payload: Record<string, unknown> = { ...claims, iat: now(), exp: now() + 600, ...opts.payload };
      for (const name of opts.drop ?? []) delete payload[name];
      return new SignJWT(payload)
        .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', kid: publicJwk.kid, ...opts.header } as never)
        .sign(key);
    },
  };
};
