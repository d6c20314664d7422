/**
 * The gateway's route table is derived from the service contracts' registry;
 * this pins it, so a contract edit that moves a route between services (or
 * opens a namespace) shows up here rather than in production.
 */
import { describe, expect, it } from 'vitest';
import {
  API_BASE_PATH,
  buildOpenApiDocument,
  PUBLIC_PREFIXES,
  PUBLIC_TRPC_NAMESPACES,
  publicNamespacesOf,
  restRoutesOf,
  SERVICES,
  serviceContracts,
} from '../src';

describe('route table derived from serviceContracts', () => {
  it('has these path prefixes, in this order', () => {
    expect(PUBLIC_PREFIXES).toEqual([
      { prefix: '/auth', service: 'auth' },
      { prefix: '/users', service: 'auth' },
      { prefix: '/messages', service: 'messages' },
      { prefix: '/chat-requests', service: 'messages' },
      { prefix: '/contacts', service: 'messages' },
      { prefix: '/ws', service: 'realtime' },
    ]);
  });

  it('has these public tRPC namespaces, in this order', () => {
    expect(Object.entries(PUBLIC_TRPC_NAMESPACES)).toEqual([
      ['auth', 'auth'],
      ['keys', 'auth'],
      ['vault', 'auth'],
      ['users', 'auth'],
      ['devices', 'auth'],
      ['keyPackages', 'auth'],
      ['archive', 'auth'],
      ['chatRequests', 'messages'],
      ['contacts', 'messages'],
      ['messages', 'messages'],
    ]);
    expect(PUBLIC_TRPC_NAMESPACES).not.toHaveProperty('internal');
  });

  it('registers one contract per service', () => {
    expect(serviceContracts.map((c) => c.service)).toEqual([...SERVICES]);
  });

  it('no prefix or namespace is claimed by two services', () => {
    const prefixes = PUBLIC_PREFIXES.map((p) => p.prefix);
    expect(new Set(prefixes).size).toBe(prefixes.length);
    const namespaces = serviceContracts.flatMap((c) => publicNamespacesOf(c.tree));
    expect(new Set(namespaces).size).toBe(namespaces.length);
  });

  it.each(serviceContracts.map((c) => [c.service, c] as const))(
    'every REST route of %s lies under one of its own prefixes',
    (_service, { publicPrefixes, tree }) => {
      for (const { rest } of restRoutesOf(tree))
        expect(
          publicPrefixes.some((p) => rest.path === p || rest.path.startsWith(`${p}/`)),
          rest.path,
        ).toBe(true);
    },
  );
});

describe('API versioning', () => {
  it('the public API is versioned under /v1', () => {
    expect(API_BASE_PATH).toBe('/v1');
  });

  it('the OpenAPI document names /v1 as its only server, and its paths are relative to it', () => {
    const doc = buildOpenApiDocument(serviceContracts.map((c) => c.tree)) as unknown as {
      servers: Array<{ url: string }>;
      paths: Record<string, unknown>;
    };
    expect(doc.servers).toEqual([{ url: '/v1' }]);
    const paths = Object.keys(doc.paths);
    expect(paths).toContain('/auth/register');
    for (const path of paths) expect(path.startsWith(`${API_BASE_PATH}/`), path).toBe(false);
  });
});
