/**
 * The single list of what LockBox deploys: each process's name, its package,
 * its TypeScript entry point (run through tsx in dev and tests), the bundle a
 * release runs (`node <bundle>`), its default port and the environment names
 * that point other processes at it.
 *
 * Plain JavaScript with no imports, so the repository's own scripts can read
 * it before anything is installed (`scripts/lockbox.mjs`); TypeScript code
 * imports it as `@lockbox/contracts/deployables` (types in deployables.d.mts).
 * The start script, testkit's stack, the benches and the gateway's defaults
 * all read it: a port or an entry point changes here and nowhere else.
 */

/** Instance i (0-based) of a scaled service listens on `port + i * INSTANCE_PORT_STRIDE`. */
export const INSTANCE_PORT_STRIDE = 10;

/** @type {readonly import('./deployables.d.mts').Deployable[]} */
export const DEPLOYABLES = Object.freeze([
  {
    name: 'auth',
    kind: 'service',
    packageName: '@lockbox/auth-service',
    packageDir: 'packages/auth-service',
    entry: 'packages/auth-service/src/main.ts',
    bundle: 'packages/auth-service/dist/main.mjs',
    port: 8001,
    upstreamsEnv: 'AUTH_UPSTREAMS',
    urlsEnv: 'AUTH_URLS',
  },
  {
    name: 'messages',
    kind: 'service',
    packageName: '@lockbox/message-service',
    packageDir: 'packages/message-service',
    entry: 'packages/message-service/src/main.ts',
    bundle: 'packages/message-service/dist/main.mjs',
    port: 8002,
    upstreamsEnv: 'MESSAGES_UPSTREAMS',
    urlsEnv: 'MESSAGES_URLS',
  },
  {
    name: 'realtime',
    kind: 'service',
    packageName: '@lockbox/realtime-service',
    packageDir: 'packages/realtime-service',
    entry: 'packages/realtime-service/src/main.ts',
    bundle: 'packages/realtime-service/dist/main.mjs',
    port: 8003,
    upstreamsEnv: 'REALTIME_UPSTREAMS',
    urlsEnv: 'REALTIME_URLS',
  },
  {
    name: 'gateway',
    kind: 'gateway',
    packageName: '@lockbox/gateway',
    packageDir: 'gateway',
    entry: 'gateway/src/main.ts',
    bundle: 'gateway/dist/main.mjs',
    port: 8000,
    // The operator listener (/metrics): ends in 9, so it never meets an instance port (8000 + 10i + 0..3).
    adminPort: 8009,
  },
  {
    name: 'cli',
    kind: 'cli',
    packageName: '@lockbox/cli',
    packageDir: 'packages/cli',
    entry: 'packages/cli/src/main.ts',
    bundle: 'packages/cli/dist/lockbox.mjs',
  },
]);

/**
 * @param {string} name
 * @returns {import('./deployables.d.mts').Deployable}
 */
export const deployable = (name) => {
  const found = DEPLOYABLES.find((d) => d.name === name);
  if (!found) throw new Error(`unknown deployable: ${name}`);
  return found;
};

/**
 * @param {string} name a service or the gateway
 * @param {number} [index] 0-based instance number
 * @returns {number}
 */
export const instancePort = (name, index = 0) => {
  const { port } = deployable(name);
  if (port === undefined) throw new Error(`${name} does not listen on a port`);
  return port + index * INSTANCE_PORT_STRIDE;
};
