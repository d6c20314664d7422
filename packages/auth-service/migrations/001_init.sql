-- Auth service schema. Usernames are stored as typed and lowercased (COLLATE "C"),
-- so uniqueness is case-insensitive and prefix search is an index range scan.
CREATE TABLE lockbox_auth.users (
  id text PRIMARY KEY,
  username text NOT NULL,
  username_lower text COLLATE "C" NOT NULL,
  password_hash text NOT NULL,
  client_kdf jsonb,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_username_lower_key ON lockbox_auth.users (username_lower);

-- A session is one login; its refresh tokens form one rotation family.
CREATE TABLE lockbox_auth.sessions (
  id text PRIMARY KEY,
  user_id text NOT NULL REFERENCES lockbox_auth.users (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  revoked_reason text
);
CREATE INDEX sessions_user_id_idx ON lockbox_auth.sessions (user_id);

-- Only the SHA-256 of a refresh token is stored; a spent token presented again revokes its session.
CREATE TABLE lockbox_auth.refresh_tokens (
  token_hash text PRIMARY KEY,
  session_id text NOT NULL REFERENCES lockbox_auth.sessions (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  spent_at timestamptz
);
CREATE INDEX refresh_tokens_session_id_idx ON lockbox_auth.refresh_tokens (session_id);

-- Append-only feed other services poll so they refuse revoked sessions' access tokens.
CREATE TABLE lockbox_auth.revocations (
  seq bigserial PRIMARY KEY,
  session_id text NOT NULL,
  user_id text NOT NULL,
  revoked_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE lockbox_auth.key_bundles (
  user_id text PRIMARY KEY REFERENCES lockbox_auth.users (id) ON DELETE CASCADE,
  bundle jsonb NOT NULL,
  published_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE lockbox_auth.vaults (
  user_id text PRIMARY KEY REFERENCES lockbox_auth.users (id) ON DELETE CASCADE,
  vault text NOT NULL,
  version integer NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Server-held secrets made on first start (token signing key, prelogin salt key),
-- shared by every auth instance on the same database.
CREATE TABLE lockbox_auth.server_secrets (
  name text PRIMARY KEY,
  value text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
