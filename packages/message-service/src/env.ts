/** Message-service settings (on top of service-kit's base env). Defaults suit one box; see .env.example. */
import { ENCRYPTED_BLOB_HARD_MAX_BYTES } from '@lockbox/contracts';
import {
  zIntSetting as int,
  zOptionalUrlList as optionalUrlList,
  zUrlList as urlList,
} from '@lockbox/service-kit';
import { z } from 'zod';

export const ZMessagesEnv = z.object({
  /** auth-service instances: user lookups, the JWKS, the revocation feed. */
  AUTH_URLS: urlList.default(['http://127.0.0.1:8001']),
  /** realtime-service instances that deliver committed events; `off` skips live delivery. */
  REALTIME_URLS: optionalUrlList.default(['http://127.0.0.1:8003']),
  /** A lookup that takes longer fails with 503: a dead auth-service is a quick error, never a hang. */
  AUTH_TIMEOUT_MS: int(2_000, 100, 60_000),
  REALTIME_TIMEOUT_MS: int(3_000, 100, 60_000),
  /** Events (a send is two) waiting on realtime at once; beyond that they are dropped (recipients get them on resume). */
  REALTIME_MAX_IN_FLIGHT: int(2_000),
  REVOCATIONS_POLL_MS: int(1_000, 100, 60_000),
  /** Access tokens remembered after their signature check, until they expire; 0 verifies every request. */
  TOKEN_CACHE_ENTRIES: int(10_000, 0, 1_000_000),
  /** Largest decoded `encrypted_blob`, bytes (413 above). Mind LOCKBOX_BODY_LIMIT when raising it. */
  MESSAGE_BLOB_MAX_BYTES: int(64 * 1024, 16, ENCRYPTED_BLOB_HARD_MAX_BYTES),
  /** Chat requests one user may send per window (429 with Retry-After beyond). */
  RL_CHAT_REQUESTS_PER_USER: int(20),
  RL_CHAT_REQUESTS_WINDOW_S: int(600),
});
export type MessagesEnv = z.infer<typeof ZMessagesEnv>;
