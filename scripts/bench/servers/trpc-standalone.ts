/**
 * tRPC's own node server (`@trpc/server/adapters/standalone`) serving the auth
 * service's real router (authService.setup → createAuthRouter) at /trpc/…:
 * what a service would get without service-kit's adapter. BENCH.md measured it
 * at about 0.1× plain node:http, because it answers with a chunked, streamed body.
 */
import { randomUUID } from 'node:crypto';
import { authService } from '@lockbox/auth-service/definition';
import type { BaseContext } from '@lockbox/service-kit';
// The catalog's @trpc/server, the version service-kit pins too: pnpm links both to the
// same files, hence the same module instance as the tRPC that built the router.
import { createHTTPServer } from '@trpc/server/adapters/standalone';
import { listenUntilSignalled, openAuthKit } from './auth-kit';

const kit = await openAuthKit('trpc-standalone');
const parts = await authService.setup(kit);

const server = createHTTPServer({
  router: parts.router,
  basePath: '/trpc/',
  createContext: ({ req }): BaseContext => ({
    requestId: randomUUID(),
    log: kit.log,
    clientIp: req.socket.remoteAddress ?? 'unknown',
    authorization: req.headers.authorization,
    internal: false,
    authenticate: parts.authenticate,
  }),
});

await listenUntilSignalled(server, async () => {
  await parts.onClose?.();
  await kit.db.close();
});
