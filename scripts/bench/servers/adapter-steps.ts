/**
 * Where a service request's time goes, one layer at a time: each path adds one
 * thing service-kit's adapter does on top of the plain node:http answer, so the
 * service bench (`--breakdown`) can show what each layer costs.
 *
 *   /steps/0  plain: JSON.stringify(issuer.jwks) with a Content-Length
 *   /steps/1  + request id (randomUUID), x-request-id and cache-control headers
 *   /steps/2  + an async handler awaited (the resolver is `async () => issuer.jwks`)
 *   /steps/3  + zod: the contract's input and output schemas parsed
 *   /steps/4  + the metrics histogram observed (prom-client), as the adapter does
 *   /steps/5  = step 4, but the handler is called through the tRPC procedure
 *               (`procedures['auth.jwks'](…)`: tRPC's middleware chain running the
 *               same zod schemas) with the adapter's request context — what the
 *               adapter did before it called procedures directly
 *   /steps/6  service-kit's adapter itself (createServiceHttpServer's request
 *               listener, REST path): should match the real service
 */
import { randomUUID } from 'node:crypto';
import http, { type ServerResponse } from 'node:http';
import { authService } from '@lockbox/auth-service/definition';
import { authContract } from '@lockbox/contracts';
import { type BaseContext, createServiceHttpServer } from '@lockbox/service-kit';
import { listenUntilSignalled, openAuthKit } from './auth-kit';

const kit = await openAuthKit('adapter-steps');
const parts = await authService.setup(kit);
const procedures = parts.router._def.procedures as Record<
  string,
  (opts: Record<string, unknown>) => Promise<unknown>
>;
const jwksProcedure = procedures['auth.jwks'];
if (!jwksProcedure) throw new Error('auth.jwks procedure not found');
const contract = authContract.auth.jwks;
// The same value the procedure's handler returns, without going through tRPC.
const jwks = (await jwksProcedure({
  ctx: {},
  path: 'auth.jwks',
  type: 'query',
  getRawInput: async () => undefined,
  signal: undefined,
  batchIndex: 0,
})) as unknown;
const resolver = async () => jwks;

const JSON_TYPE = 'application/json; charset=utf-8';

const answer = (res: ServerResponse, data: unknown, extra?: Record<string, string>) => {
  const body = JSON.stringify(data);
  res.writeHead(200, { 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(body), ...extra });
  res.end(body);
};

const withRequestId = (res: ServerResponse, given: string | string[] | undefined) => {
  const id = typeof given === 'string' ? given : randomUUID();
  res.setHeader('x-request-id', id);
  return id;
};

/** The request context exactly as service-kit's adapter builds it (an object literal with a lazy log getter). */
const adapterContext = (req: http.IncomingMessage, requestId: string): BaseContext => {
  let log: BaseContext['log'] | undefined;
  return {
    requestId,
    get log() {
      log ??= kit.log.child({ requestId, path: '/steps' });
      return log;
    },
    clientIp: req.socket.remoteAddress ?? 'unknown',
    authorization: req.headers.authorization,
    internal: false,
    authenticate: parts.authenticate,
  };
};

const steps: ((req: http.IncomingMessage, res: ServerResponse) => Promise<void> | void)[] = [
  (_req, res) => answer(res, jwks),
  (req, res) => {
    withRequestId(res, req.headers['x-request-id']);
    answer(res, jwks, { 'cache-control': 'no-store' });
  },
  async (req, res) => {
    withRequestId(res, req.headers['x-request-id']);
    answer(res, await resolver(), { 'cache-control': 'no-store' });
  },
  async (req, res) => {
    withRequestId(res, req.headers['x-request-id']);
    contract.input.parse(undefined);
    answer(res, contract.output.parse(await resolver()), { 'cache-control': 'no-store' });
  },
  async (req, res) => {
    const started = process.hrtime.bigint();
    withRequestId(res, req.headers['x-request-id']);
    contract.input.parse(undefined);
    answer(res, contract.output.parse(await resolver()), { 'cache-control': 'no-store' });
    kit.metrics.observeRequest('auth.jwks', 'GET', 200, Number(process.hrtime.bigint() - started) / 1e9);
  },
  async (req, res) => {
    const started = process.hrtime.bigint();
    const ctx = adapterContext(req, withRequestId(res, req.headers['x-request-id']));
    const data = await jwksProcedure({
      ctx,
      path: 'auth.jwks',
      type: 'query',
      getRawInput: async () => undefined,
      signal: undefined,
      batchIndex: 0,
    });
    answer(res, data, { 'cache-control': 'no-store' });
    kit.metrics.observeRequest('auth.jwks', 'GET', 200, Number(process.hrtime.bigint() - started) / 1e9);
  },
];

/** The adapter's request listener, called in this process for /steps/6. */
const adapter = createServiceHttpServer({
  service: 'auth',
  router: parts.router,
  contracts: [authContract],
  log: kit.log,
  metrics: kit.metrics,
  credentials: kit.credentials,
  bodyLimit: kit.env.LOCKBOX_BODY_LIMIT,
  authenticate: parts.authenticate,
  ready: () => kit.db.ping(),
});
const adapterListener = adapter.listeners('request')[0] as http.RequestListener;
steps.push((req, res) => {
  req.url = '/auth/.well-known/jwks.json';
  adapterListener(req, res);
});

const server = http.createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
  const m = /^\/steps\/(\d)$/.exec(req.url ?? '');
  const step = m ? steps[Number(m[1])] : undefined;
  if (req.url === '/health') return answer(res, { status: 'ok' });
  if (!step) {
    res.writeHead(404, { 'content-length': 0 });
    res.end();
    return;
  }
  const done = step(req, res);
  if (done) done.catch((err) => res.destroy(err as Error));
});

await listenUntilSignalled(server, async () => {
  await parts.onClose?.();
  await kit.db.close();
});
