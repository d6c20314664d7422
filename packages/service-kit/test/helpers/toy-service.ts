/**
 * A tiny service on the real HTTP adapter, without a database: a contract whose
 * procedures echo, fail on demand and report what the context saw, so the
 * adapter's parsing, routing and error mapping are tested on their own.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mutation, query, zId } from '@lockbox/contracts';
import { client } from '@lockbox/testkit';
import pino, { type Logger } from 'pino';
import { afterAll, beforeAll } from 'vitest';
import { z } from 'zod';
import { AppError } from '../../src/errors';
import { createServiceHttpServer } from '../../src/http/server';
import { deriveCredentials } from '../../src/internal-auth';
import { createMetrics } from '../../src/metrics';
import { type AuthUser, implement } from '../../src/trpc';

export const toyContract = {
  echo: mutation({
    access: 'public',
    summary: 'Answers its body; any object goes, so only the body parser stands guard',
    input: z.record(z.string(), z.unknown()).optional(),
    output: z.unknown(),
    rest: { method: 'POST', path: '/echo' },
  }),
  item: query({
    access: 'public',
    summary: 'One item by id (a path parameter)',
    input: z.strictObject({ id: zId('user') }),
    output: z.object({ id: z.string() }),
    rest: { method: 'GET', path: '/items/{id}' },
  }),
  create: mutation({
    access: 'public',
    summary: 'Answers 201',
    input: z.strictObject({ name: z.string().max(10) }),
    output: z.object({ name: z.string() }),
    rest: { method: 'POST', path: '/items', status: 201 },
  }),
  remove: mutation({
    access: 'public',
    summary: 'Answers 204',
    input: z.strictObject({ id: zId('user') }),
    output: z.null(),
    rest: { method: 'DELETE', path: '/items/{id}', status: 204 },
  }),
  rename: mutation({
    access: 'public',
    summary: 'A path parameter and a body',
    input: z.strictObject({ id: zId('user'), name: z.string().max(10) }),
    output: z.object({ id: z.string(), name: z.string() }),
    rest: { method: 'POST', path: '/items/{id}/rename' },
  }),
  context: query({
    access: 'public',
    summary: 'What the context saw',
    input: z.strictObject({}).optional(),
    output: z.object({ clientIp: z.string(), internal: z.boolean() }),
    rest: { method: 'GET', path: '/context' },
  }),
  fail: query({
    access: 'public',
    summary: 'Throws the error it is asked for',
    input: z.strictObject({ kind: z.enum(['db', 'pg_shutdown', 'rate', 'boom', 'conflict']) }),
    output: z.null(),
    rest: { method: 'GET', path: '/fail' },
  }),
  whoami: query({
    access: 'user',
    summary: 'The caller',
    input: z.strictObject({}).optional(),
    output: z.object({ id: z.string() }),
    rest: { method: 'GET', path: '/whoami' },
  }),
  secret: query({
    access: 'internal',
    summary: 'Only for services',
    input: z.strictObject({}).optional(),
    output: z.object({ ok: z.literal(true) }),
  }),
};

export const TOY_SECRET = 'toy-secret-that-is-long-enough-0123456789';
export const toyCredentials = deriveCredentials(TOY_SECRET);

const failures = {
  db: () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
  pg_shutdown: () =>
    Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
  rate: () => new AppError('rate_limited', 'slow down', { retryAfter: 7 }),
  boom: () => new Error('secret internals: password=hunter2'),
  conflict: () => new AppError('conflict', 'it changed'),
};

export const toyRouter = implement(toyContract, {
  echo: async ({ input }) => input ?? null,
  item: async ({ input }) => ({ id: input.id }),
  create: async ({ input }) => ({ name: input.name }),
  remove: async () => null,
  rename: async ({ input }) => ({ id: input.id, name: input.name }),
  context: async ({ ctx }) => ({ clientIp: ctx.clientIp, internal: ctx.internal }),
  fail: async ({ input }) => {
    throw failures[input.kind]();
  },
  whoami: async ({ ctx }) => {
    ctx.log.info('whoami');
    return { id: ctx.user.id };
  },
  secret: async () => ({ ok: true as const }),
});

/** `Bearer good-token` is a live session; `Bearer revoked-token` one that was signed out. */
export const toyAuthenticate = async (authorization: string | undefined): Promise<AuthUser> => {
  if (authorization === 'Bearer revoked-token') throw new AppError('unauthorized', 'session revoked');
  if (authorization !== 'Bearer good-token') throw new AppError('unauthorized', 'invalid token');
  return { id: 'usr_toy', username: 'toy', sessionId: 'ses_toy' };
};

export interface ToyService {
  url: string;
  server: http.Server;
  /** Every request the adapter finished, as the metrics hook saw it. */
  observed: Array<{ route: string; method: string; status: number }>;
  close(): Promise<void>;
}

export const startToyService = async (
  opts: { bodyLimit?: number; log?: Logger } = {},
): Promise<ToyService> => {
  const metrics = createMetrics('toy', 'toy');
  const observed: ToyService['observed'] = [];
  const server = createServiceHttpServer({
    service: 'toy',
    router: toyRouter,
    contracts: [toyContract],
    log: opts.log ?? pino({ level: 'silent' }),
    metrics: {
      ...metrics,
      observeRequest: (route, method, status) => observed.push({ route, method, status }),
    },
    credentials: toyCredentials,
    bodyLimit: opts.bodyLimit ?? 64 * 1024,
    authenticate: toyAuthenticate,
    ready: async () => undefined,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    observed,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
};

export interface ServedToy {
  /** Set once the suite's beforeAll has run. */
  toy: ToyService;
  /** A test client on `toy.url`. */
  api: ReturnType<typeof client>;
}

/**
 * Starts a toy service for the enclosing suite (before all its tests) and
 * stops it after them; the returned object holds it and a client once started.
 */
export const useToyService = (opts: Parameters<typeof startToyService>[0] = {}): ServedToy => {
  const served = {} as ServedToy;
  beforeAll(async () => {
    served.toy = await startToyService(opts);
    served.api = client(served.toy.url);
  });
  afterAll(() => served.toy.close());
  return served;
};

/** A GET with the path sent byte for byte (URL objects would resolve `..` and `%2e%2e` first). */
export const rawGet = (baseUrl: string, rawPath: string) =>
  new Promise<{ status: number; json: { error: { code: string; message: string } } }>((resolve, reject) => {
    const { hostname, port } = new URL(baseUrl);
    const req = http.request({ host: hostname, port, path: rawPath, method: 'GET', agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) : undefined });
      });
    });
    req.on('error', reject);
    req.end();
  });
