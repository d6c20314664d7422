/**
 * pino to `<log dir>/<service>.log` and stdout. Secrets never reach a log line:
 * credentials, tokens and bodies are redacted by path, and URLs that carry a
 * token (`/auth/verify/…`, `?token=`) are masked before they are logged.
 */

import fs from 'node:fs';
import path from 'node:path';
import { API_BASE_PATH } from '@lockbox/contracts';
import pino, { type Logger } from 'pino';

export type { Logger };

export const REDACT_PATHS = [
  'password',
  '*.password',
  'token',
  '*.token',
  'access_token',
  '*.access_token',
  'refresh_token',
  '*.refresh_token',
  'encrypted_blob',
  '*.encrypted_blob',
  'vault',
  '*.vault',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["sec-websocket-protocol"]',
  'req.headers["x-lockbox-internal"]',
  'req.headers["x-lockbox-gateway"]',
  'body',
  'input',
];

const SECRET_PARAMS = new Set(['token', 'access_token', 'refresh_token', 'input']);
/**
 * `/auth/verify/<token>`, also under the versioned base path (`/v1/auth/verify/<token>`), however
 * the client spelt it (extra slashes, percent-encoding, case).
 */
const VERIFY_PATH = new RegExp(`^((?:/+${API_BASE_PATH.slice(1)})?)/+auth/+verify(?:/|$)`, 'i');

const decode = (s: string): string => {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
};

/**
 * Masks the secret parts of a request URL so it can be logged. Names are
 * compared decoded, as the servers read them: `?%74oken=` is `?token=`.
 */
export const safeUrl = (url: string | undefined): string => {
  if (!url) return '';
  const q = url.indexOf('?');
  const pathname = q === -1 ? url : url.slice(0, q);
  const verify = VERIFY_PATH.exec(decode(pathname));
  const path = verify ? `${verify[1] ? API_BASE_PATH : ''}/auth/verify/[redacted]` : pathname;
  if (q === -1) return path;
  const query = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq === -1 ? pair : pair.slice(0, eq);
      return SECRET_PARAMS.has(decode(name)) ? `${name}=[redacted]` : pair;
    })
    .join('&');
  return `${path}?${query}`;
};

export interface LoggerOptions {
  service: string;
  logDir: string;
  level: string;
  stdout: boolean;
  instance?: string;
}

export const createLogger = (opts: LoggerOptions): Logger => {
  fs.mkdirSync(opts.logDir, { recursive: true });
  const file = pino.destination({
    dest: path.join(opts.logDir, `${opts.instance ?? opts.service}.log`),
    mkdir: true,
    sync: false,
  });
  const streams: pino.StreamEntry[] = [{ stream: file, level: opts.level as pino.Level }];
  if (opts.stdout) streams.push({ stream: process.stdout, level: opts.level as pino.Level });
  return pino(
    {
      level: opts.level,
      base: { service: opts.service, ...(opts.instance ? { instance: opts.instance } : {}) },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    pino.multistream(streams),
  );
};
