-- E2E v2 (docs/SECURITY.md 10.12, 10.13): devices, the signed device list, KeyPackage pools, history archive.

-- A device row outlives its revocation: the id can never be registered again (it is the primary key).
CREATE TABLE lockbox_auth.devices (
  id text PRIMARY KEY,
  user_id text NOT NULL REFERENCES lockbox_auth.users (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz
);
CREATE INDEX devices_user_id_idx ON lockbox_auth.devices (user_id);

-- The current signed list only (body = the exact signed bytes). Its row is also the per-account lock
-- the archive takes: archive_bytes and archive_cursor change only under it.
CREATE TABLE lockbox_auth.device_lists (
  user_id text PRIMARY KEY REFERENCES lockbox_auth.users (id) ON DELETE CASCADE,
  version integer NOT NULL,
  body bytea NOT NULL,
  signature bytea NOT NULL,
  archive boolean NOT NULL,
  archive_bytes bigint NOT NULL DEFAULT 0,
  archive_cursor bigint NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- A session acts for at most one device; a revoked device's sessions are revoked with it.
ALTER TABLE lockbox_auth.sessions ADD COLUMN device_id text REFERENCES lockbox_auth.devices (id);
CREATE INDEX sessions_device_id_idx ON lockbox_auth.sessions (device_id) WHERE device_id IS NOT NULL;

-- A claimed one-time KeyPackage keeps its row without its bytes (claimed_at set): the (device, hash)
-- key then refuses a re-upload of the same bytes, so no KeyPackage is ever handed out twice.
CREATE TABLE lockbox_auth.key_packages (
  id bigserial PRIMARY KEY,
  device_id text NOT NULL REFERENCES lockbox_auth.devices (id) ON DELETE CASCADE,
  hash bytea NOT NULL,
  bytes bytea,
  last_resort boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  claimed_at timestamptz
);
CREATE UNIQUE INDEX key_packages_device_hash_key ON lockbox_auth.key_packages (device_id, hash);
CREATE UNIQUE INDEX key_packages_last_resort_key ON lockbox_auth.key_packages (device_id) WHERE last_resort;
CREATE INDEX key_packages_pool_idx ON lockbox_auth.key_packages (device_id, id)
  WHERE NOT last_resort AND claimed_at IS NULL;

CREATE TABLE lockbox_auth.archive_segments (
  user_id text NOT NULL REFERENCES lockbox_auth.users (id) ON DELETE CASCADE,
  cursor bigint NOT NULL,
  tag bytea NOT NULL,
  blob bytea NOT NULL,
  size integer NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, cursor)
);
CREATE UNIQUE INDEX archive_segments_tag_key ON lockbox_auth.archive_segments (user_id, tag);
