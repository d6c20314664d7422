/**
 * The built web app (`packages/web/dist`) at `/`: files with their content
 * types, no way out of the folder, and the SPA fallback (a path without a file
 * extension answers index.html, so client-side routes survive a reload). When
 * the app is not built yet, `/` explains that and links the API docs.
 * The fallback needs `Accept: text/html`, so API clients get JSON 404s.
 */
import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { sendError } from './answers';
import { SECURITY_HEADERS } from './security-headers';
import { APP_CSP, CONTENT_TYPES, type MemoryAsset, memoryAsset, sendAsset } from './static-answers';

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>LockBox</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; line-height: 1.5">
<h1>LockBox gateway</h1>
<p>The web app is not built yet (no <code>packages/web/dist</code>). Build it with
<code>pnpm --filter @lockbox/web build</code>, or use the API directly.</p>
<p><a href="/docs">API reference</a> · <a href="/openapi.json">OpenAPI document</a> · <a href="/health">health</a></p>
</body>
</html>
`;

const acceptsHtml = (req: IncomingMessage): boolean => {
  const accept = req.headers.accept;
  return typeof accept === 'string' && accept.includes('text/html');
};

/** How often the gateway looks again for a web app built after it started. */
const RECHECK_MS = 5_000;

export class WebApp {
  readonly #root: string;
  #builtCheckedAt = 0;
  #built = false;
  readonly #notBuilt: MemoryAsset = memoryAsset(
    CONTENT_TYPES['.html'] as string,
    Buffer.from(NOT_BUILT_PAGE),
    'no-cache',
    APP_CSP,
  );

  constructor(root: string) {
    this.#root = path.resolve(root);
  }

  #isBuilt(): boolean {
    const now = Date.now();
    if (now - this.#builtCheckedAt > RECHECK_MS) {
      this.#builtCheckedAt = now;
      this.#built = fs.existsSync(path.join(this.#root, 'index.html'));
    }
    return this.#built;
  }

  /** GET/HEAD of any path no service or gateway endpoint claimed. */
  async serve(req: IncomingMessage, res: ServerResponse, pathname: string, requestId: string): Promise<void> {
    if (!this.#isBuilt()) {
      if (pathname === '/' || pathname === '/index.html')
        return sendAsset(req, res, this.#notBuilt, requestId);
      return sendError(res, 'not_found', 'not found', requestId);
    }
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      return sendError(res, 'invalid_input', 'malformed path', requestId);
    }
    if (decoded.includes('\0') || decoded.includes('\\'))
      return sendError(res, 'invalid_input', 'malformed path', requestId);
    const file = path.resolve(this.#root, `.${decoded}`);
    if (file !== this.#root && !file.startsWith(this.#root + path.sep))
      return sendError(res, 'not_found', 'not found', requestId);

    const found = await this.#fileAt(file);
    if (found) return this.#sendFile(req, res, found.path, found.size, requestId);
    // Only a browser navigation (Accept: text/html) gets the app for an unknown path; an API client
    // asking for a path no service owns (e.g. an internal one) gets a JSON 404.
    if (path.extname(decoded) === '' && acceptsHtml(req)) {
      const index = path.join(this.#root, 'index.html');
      const stat = await this.#fileAt(index);
      if (stat) return this.#sendFile(req, res, index, stat.size, requestId);
    }
    return sendError(res, 'not_found', 'not found', requestId);
  }

  /** The file itself, or the index.html of a directory; undefined when neither exists. */
  async #fileAt(file: string): Promise<{ path: string; size: number } | undefined> {
    try {
      const stat = await fs.promises.stat(file);
      if (stat.isFile()) return { path: file, size: stat.size };
      if (stat.isDirectory()) {
        const index = path.join(file, 'index.html');
        const s = await fs.promises.stat(index);
        if (s.isFile()) return { path: index, size: s.size };
      }
    } catch {
      // not there
    }
    return undefined;
  }

  #sendFile(req: IncomingMessage, res: ServerResponse, file: string, size: number, requestId: string): void {
    const ext = path.extname(file).toLowerCase();
    const type = CONTENT_TYPES[ext] ?? 'application/octet-stream';
    // Vite puts content-hashed files under /assets/: those never change.
    const rel = path.relative(this.#root, file);
    const immutable = rel.startsWith(`assets${path.sep}`);
    const headers = [
      'content-type',
      type,
      'content-length',
      String(size),
      'cache-control',
      immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      'x-request-id',
      requestId,
      ...SECURITY_HEADERS,
    ];
    if (ext === '.html') headers.push('content-security-policy', APP_CSP);
    res.writeHead(200, headers);
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const stream = fs.createReadStream(file);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  }
}
