/** Realtime-service settings (on top of service-kit's base env). Defaults suit one box; see .env.example. */
import {
  zIntSetting as int,
  zOptionalUrlList as optionalUrlList,
  zUrlList as urlList,
  zOriginList,
} from '@lockbox/service-kit';
import { z } from 'zod';

export const ZRealtimeEnv = z.object({
  /** Auth instances: JWKS for local token checks, and the revocation feed. */
  AUTH_URLS: urlList.default(['http://127.0.0.1:8001']),
  /**
   * Message-service instances: history for resume, contact lists for typing and presence.
   * `off`: no history (a resume answers `unavailable`) and nobody has contacts.
   */
  MESSAGES_URLS: optionalUrlList.default(['http://127.0.0.1:8002']),
  /** Same rule and default as the gateway: browser origins allowed to open a socket. Never `*`. */
  LOCKBOX_CORS_ORIGINS: zOriginList,
  /** Largest client frame; a bigger one closes the socket with 1009. */
  RT_MAX_PAYLOAD: int(64 * 1024, 1024, 16 * 1024 * 1024),
  /** Bytes queued for one socket before it counts as not reading and is closed with 1013. */
  RT_SEND_BUFFER_LIMIT: int(1024 * 1024, 16 * 1024),
  /** Ping every socket this often; one that has not answered the previous ping is dropped. */
  RT_HEARTBEAT_MS: int(20_000, 100),
  /** Sockets one user may hold on one instance (more → 429 at the upgrade). */
  RT_MAX_SOCKETS_PER_USER: int(32),
  /** Messages per history page during a replay. */
  RT_REPLAY_PAGE: int(200, 1, 1000),
  /** Frames a client may send per second (burst: twice that); beyond → `rate_limited` error frames. */
  RT_CLIENT_FRAMES_PER_S: int(20),
  /** Invalid or over-rate frames tolerated before the socket is closed with 1008. */
  RT_ABUSE_LIMIT: int(10),
  /** How often revoked sessions are fetched from auth (their sockets close with 4001). */
  RT_REVOCATION_POLL_MS: int(1_000, 50),
  /** How long a user's contact list is trusted for typing/presence before it is fetched again. */
  RT_CONTACTS_TTL_MS: int(30_000, 0),
});
export type RealtimeEnv = z.infer<typeof ZRealtimeEnv>;
