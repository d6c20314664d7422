/**
 * What runs where: every process `npm start` and `npm run dev` launch, with its
 * port and the environment that points it at the others. Both runners read
 * this one plan, and the plan reads contracts/src/deployables.mjs, so a port or
 * an entry point changes there and nowhere else.
 *
 * Dependency-free on purpose: `npm start` reads it before anything is installed.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEPLOYABLES, deployable, instancePort } from '../../contracts/src/deployables.mjs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The services behind the gateway, in start order (each one's callers come later). */
export const SERVICES = DEPLOYABLES.filter((d) => d.kind === 'service').map((d) => d.name);

const DEFAULT_GATEWAY_PORT = instancePort('gateway');

/** Vite's dev server when LOCKBOX_BASE_PORT is not moved (its own default). */
export const DEFAULT_WEB_DEV_PORT = 5173;

/**
 * Shared settings from the environment. LOCKBOX_BASE_PORT moves every port by
 * the same offset (the gateway lands on it), so a second stack, or a test, can
 * run beside the default one.
 * @param {NodeJS.ProcessEnv} env
 */
export const settingsFrom = (env) => {
  const basePort = env.LOCKBOX_BASE_PORT ? Number(env.LOCKBOX_BASE_PORT) : DEFAULT_GATEWAY_PORT;
  if (!Number.isInteger(basePort) || basePort < 1 || basePort > 65_000)
    throw new Error(`LOCKBOX_BASE_PORT must be a port number, got ${env.LOCKBOX_BASE_PORT}`);
  const offset = basePort - DEFAULT_GATEWAY_PORT;
  const webPort = env.LOCKBOX_WEB_DEV_PORT ? Number(env.LOCKBOX_WEB_DEV_PORT) : DEFAULT_WEB_DEV_PORT + offset;
  return {
    offset,
    webPort,
    adminPort: env.GATEWAY_ADMIN_PORT,
    root: ROOT,
    dataDir: path.resolve(ROOT, env.LOCKBOX_DATA_DIR ?? 'data'),
    logDir: path.resolve(ROOT, env.LOCKBOX_LOG_DIR ?? 'logs'),
    runDir: path.resolve(ROOT, env.LOCKBOX_RUN_DIR ?? 'run'),
  };
};

/**
 * @typedef {{ name: string, deployable: string, port: number, env: Record<string, string> }} PlannedProcess
 * @param {{ offset: number, root: string, dataDir: string, logDir: string, adminPort?: string }} settings
 * @param {Record<string, number>} [scale] instances per service (default 1)
 * @returns {PlannedProcess[]} the service instances, then the gateway
 */
export const planProcesses = (settings, scale = {}) => {
  /** @type {Record<string, string>} */
  const shared = {
    // Every process resolves data/ and logs/ against the repository, never its package folder:
    // one data directory means one generated internal secret.
    LOCKBOX_ROOT: settings.root,
    LOCKBOX_DATA_DIR: settings.dataDir,
    LOCKBOX_LOG_DIR: settings.logDir,
  };
  /** @type {PlannedProcess[]} */
  const services = [];
  /** @type {Record<string, string>} */
  const urls = {};
  for (const name of SERVICES) {
    const n = scale[name] ?? 1;
    const list = [];
    for (let i = 0; i < n; i++) {
      const port = instancePort(name, i) + settings.offset;
      services.push({ name: n > 1 ? `${name}-${i + 1}` : name, deployable: name, port, env: {} });
      list.push(`http://127.0.0.1:${port}`);
    }
    urls[name] = list.join(',');
  }
  // Services call each other's instances (messages → auth, realtime; realtime → auth, messages).
  const serviceUrls = Object.fromEntries(SERVICES.map((s) => [deployable(s).urlsEnv, urls[s]]));
  const upstreams = Object.fromEntries(SERVICES.map((s) => [deployable(s).upstreamsEnv, urls[s]]));
  for (const p of services)
    p.env = { ...shared, ...serviceUrls, PORT: String(p.port), LOCKBOX_INSTANCE: p.name };
  const gatewayPort = instancePort('gateway') + settings.offset;
  const gateway = {
    name: 'gateway',
    deployable: 'gateway',
    port: gatewayPort,
    env: {
      ...shared,
      ...upstreams,
      PORT: String(gatewayPort),
      LOCKBOX_INSTANCE: 'gateway',
      // The operator listener (/metrics) moves with the other ports, unless set explicitly.
      GATEWAY_ADMIN_PORT: settings.adminPort ?? String(deployable('gateway').adminPort + settings.offset),
    },
  };
  return [...services, gateway];
};
