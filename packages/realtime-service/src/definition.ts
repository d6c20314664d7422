/** The realtime service as service-kit runs it: no tables, a WebSocket upgrade on its HTTP server. */
import { realtimeInternalContract, WS_CLOSE } from '@lockbox/contracts';
import {
  AppError,
  createRemoteTokenVerifier,
  createRevocationList,
  migrationsDirOf,
  type ServiceDefinition,
} from '@lockbox/service-kit';
import { createLocalFanOut, createRedisFanOut, type FanOut } from './delivery/fan-out';
import { createLocalDelivery } from './delivery/local-delivery';
import type { RealtimeDeps } from './deps';
import { ZRealtimeEnv } from './env';
import { createHistorySource, createRevocationFeed } from './peers';
import { ContactsCache } from './presence/contacts';
import { Presence } from './presence/presence';
import { createLocalPresence, createRedisPresence } from './presence/presence-store';
import { createTypingRelay } from './presence/typing';
import { deliveryLagRecorder, watchFanOut, watchSockets } from './realtime-metrics';
import { createRealtimeRouter } from './router';
import { createAcceptor } from './socket/accept';
import { createClientFrameHandler } from './socket/client-frames';
import type { ConnectionShared } from './socket/connection';
import { FetchRetryWaits } from './socket/fetch-waits';
import { startHeartbeat } from './socket/heartbeat';
import { ConnectionRegistry } from './socket/registry';
import { attachUpgradeHandler } from './upgrade/handler';
import { createOriginCheck } from './upgrade/origin';

/** A socket's start position is worth a short wait, not an upgrade held for a stalled message-service. */
const START_CURSOR_TIMEOUT_MS = 1_000;

const boundedOrUndefined = <T>(promise: Promise<T>, ms: number): Promise<T | undefined> =>
  new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      () => {
        clearTimeout(timer);
        resolve(undefined);
      },
    );
  });

export const realtimeService: ServiceDefinition<typeof ZRealtimeEnv> = {
  name: 'realtime',
  schema: 'lockbox_realtime',
  defaultPort: 8003,
  migrationsDir: migrationsDirOf(import.meta.url),
  // Nothing to store: history lives in message-service. Several instances need no shared database.
  database: false,
  env: ZRealtimeEnv,
  setup: async ({ env, log, credentials, metrics }) => {
    const instance = env.LOCKBOX_INSTANCE ?? 'realtime';
    const history = createHistorySource(env.MESSAGES_URLS, credentials.internalToken);
    const registry = new ConnectionRegistry();
    const contacts = new ContactsCache(history, env.RT_CONTACTS_TTL_MS);
    // Presence needs the fan-out, which needs local delivery: bound once it exists.
    let presence: Presence | undefined;
    const deliverLocal = createLocalDelivery(registry, {
      contactsChanged: ([a, b]) => {
        contacts.invalidate([a, b]);
        presence?.introduce(a, b);
      },
      messageHandedOver: deliveryLagRecorder(metrics),
    });

    const fanOut: FanOut = env.REDIS_URL
      ? await createRedisFanOut({
          url: env.REDIS_URL,
          prefix: env.LOCKBOX_REDIS_PREFIX,
          log,
          deliverLocal,
          onRecovered: () => {
            for (const conn of registry.all()) conn.catchUp();
          },
        })
      : createLocalFanOut(deliverLocal);
    watchSockets(metrics, registry);
    watchFanOut(metrics, fanOut);
    presence = new Presence(
      registry,
      env.REDIS_URL
        ? createRedisPresence(env.REDIS_URL, env.LOCKBOX_REDIS_PREFIX, registry, log)
        : createLocalPresence(registry),
      contacts,
      fanOut,
      log,
    );

    // Logout and revocation: the feed's pages also close the revoked sessions' sockets here.
    const revocationFeed = createRevocationFeed(env.AUTH_URLS, credentials.internalToken);
    const revocations = createRevocationList({
      fetchSince: async (after) => {
        const page = await revocationFeed(after);
        for (const { session_id } of page.revoked)
          for (const conn of registry.forSession(session_id) ?? [])
            conn.close(WS_CLOSE.sessionEnded, 'session ended');
        return page;
      },
      intervalMs: env.RT_REVOCATION_POLL_MS,
      log,
    });
    revocations.start();
    // Every auth instance serves the same keys (they share the database): the first one's JWKS will do.
    const verify = createRemoteTokenVerifier(`${env.AUTH_URLS[0]}/auth/.well-known/jwks.json`, (sid) =>
      revocations.isRevoked(sid),
    );
    const authenticate = async (authorization: string | undefined) => {
      const user = await verify(authorization);
      if (!revocations.synced) {
        await revocations.ensureSynced();
        if (revocations.isRevoked(user.sessionId)) throw new AppError('unauthorized', 'session ended');
      }
      return user;
    };

    const shared: ConnectionShared = {
      history,
      log,
      sendBufferLimit: env.RT_SEND_BUFFER_LIMIT,
      replayPage: env.RT_REPLAY_PAGE,
      framesPerSecond: env.RT_CLIENT_FRAMES_PER_S,
      abuseLimit: env.RT_ABUSE_LIMIT,
      fetchRetryDelays: [200, 1_000, 3_000, 10_000],
      fetchWaits: new FetchRetryWaits(100),
      warnedAt: { history: 0 },
      drainTimeoutMs: 30_000,
    };
    const accept = createAcceptor({
      registry,
      shared,
      presence,
      onFrame: createClientFrameHandler({ typing: createTypingRelay(contacts, fanOut) }),
      isRevoked: (sid) => revocations.isRevoked(sid),
      log,
    });
    const stopHeartbeat = startHeartbeat(registry, env.RT_HEARTBEAT_MS);
    const deps: RealtimeDeps = { env, registry, fanOut, instance };
    let accepting = true;

    return {
      router: createRealtimeRouter(deps),
      contracts: [realtimeInternalContract],
      authenticate,
      onServer: (server) => {
        attachUpgradeHandler(server, {
          log,
          credentials,
          authenticate,
          originAllowed: createOriginCheck(env.LOCKBOX_CORS_ORIGINS),
          maxPayload: env.RT_MAX_PAYLOAD,
          maxSocketsPerUser: env.RT_MAX_SOCKETS_PER_USER,
          socketsOf: (id) => registry.socketsOf(id),
          accepting: () => accepting,
          startCursor: (userId) => boundedOrUndefined(history.headCursor(userId), START_CURSOR_TIMEOUT_MS),
          onAccepted: accept,
        });
      },
      onShutdown: () => {
        // Clients reconnect (to another instance, through the gateway) and resume from their cursor.
        accepting = false;
        presence.quiet = true;
        for (const conn of registry.all()) conn.close(WS_CLOSE.goingAway, 'server shutting down');
      },
      onClose: async () => {
        stopHeartbeat();
        revocations.stop();
        for (const conn of registry.all()) conn.ws.terminate();
        await Promise.all([fanOut.close(), presence.close()]);
      },
    };
  },
};
