/**
 * Shared bits for answering files: content types, the page CSPs, and sending
 * an in-memory asset (with a gzip variant when the client takes it).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import { SECURITY_HEADERS } from './security-headers';

export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
};

/**
 * The web app's policy: its own scripts only (WebAssembly allowed, for the
 * crypto), API and WebSocket calls to this origin only, no framing.
 */
export const APP_CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Swagger UI sets inline styles; everything else is served from here. */
export const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export interface MemoryAsset {
  type: string;
  body: Buffer;
  gzip: Buffer | undefined;
  cacheControl: string;
  csp?: string;
}

export const memoryAsset = (type: string, body: Buffer, cacheControl: string, csp?: string): MemoryAsset => ({
  type,
  body,
  // Only worth it for text over a few KB.
  gzip: body.length > 1024 && !type.startsWith('image/') ? gzipSync(body) : undefined,
  cacheControl,
  ...(csp ? { csp } : {}),
});

const acceptsGzip = (req: IncomingMessage): boolean => {
  const ae = req.headers['accept-encoding'];
  return typeof ae === 'string' && /\bgzip\b/.test(ae);
};

export const sendAsset = (
  req: IncomingMessage,
  res: ServerResponse,
  asset: MemoryAsset,
  requestId: string,
  status = 200,
): void => {
  const gz = asset.gzip !== undefined && acceptsGzip(req);
  const body = gz ? (asset.gzip as Buffer) : asset.body;
  const headers = [
    'content-type',
    asset.type,
    'content-length',
    String(body.length),
    'cache-control',
    asset.cacheControl,
    'x-request-id',
    requestId,
    ...SECURITY_HEADERS,
  ];
  if (asset.gzip !== undefined) headers.push('vary', 'Accept-Encoding');
  if (gz) headers.push('content-encoding', 'gzip');
  if (asset.csp) headers.push('content-security-policy', asset.csp);
  res.writeHead(status, headers);
  res.end(req.method === 'HEAD' ? undefined : body);
};
