/**
 * A malicious server for end-to-end tests: an HTTP + WebSocket proxy in front
 * of the real gateway that can rewrite, replace or inject what the server
 * answers. Clients (SDK, CLI, the web app in Chromium) point at `url` and see
 * a server that lies exactly as the test tells it to; everything it is not
 * told to touch passes through unchanged, so the real stack does the rest.
 *
 * tRPC answers are rewritten by procedure path ("auth.prelogin"): a rewrite
 * gets the decoded `result.data` (or the error body) and returns what the
 * client should receive instead. REST passes through; a static file (the web
 * app's index.html, its scripts) can be rewritten by path with `rewriteFile`,
 * as a server that serves tampered code would. Live
 * frames (server → client, JSON text) go through `onFrame`, which may drop,
 * change or add frames; `injectFrame` pushes a frame to every open socket.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type RawData, WebSocket, WebSocketServer } from 'ws';

export interface TrpcCall {
  path: string;
  /** The decoded input (query `input` or JSON body); undefined when there was none. */
  input: unknown;
  /** The caller's bearer token, if any (so a rewrite can act for one user only). */
  token?: string;
}

/** An answer the hostile server sends instead of (or after rewriting) the real one. */
export interface ForgedAnswer {
  status: number;
  body: unknown;
}

/** Rewrites a successful answer's data; return the data the client gets. */
export type AnswerRewrite = (data: unknown, call: TrpcCall) => unknown | Promise<unknown>;
/** Answers without asking the real server; return undefined to pass the call through. */
export type Responder = (call: TrpcCall) => ForgedAnswer | undefined | Promise<ForgedAnswer | undefined>;
/** Rewrites a static file's bytes (already decoded, e.g. not gzip); return what the client gets. */
export type FileRewrite = (body: Buffer, file: { path: string; contentType: string }) => Buffer | string;
/** Rewrites one live frame (already JSON-decoded); return a list of frames to send (empty: drop it). */
export type FrameRewrite = (frame: Record<string, unknown>) => Record<string, unknown>[];

export interface HostileServer {
  /** Point clients here (http://127.0.0.1:port). */
  url: string;
  /** Rewrites every successful tRPC answer of `path` from now on (replacing an earlier rewrite of it). */
  rewrite(path: string, fn: AnswerRewrite): void;
  /** Rewrites the successful answer of a non-tRPC GET of `pathname` (e.g. "/index.html", "/assets/x.js") from now on. */
  rewriteFile(pathname: string, fn: FileRewrite): void;
  /** Answers `path` itself from now on (the real server never sees the call unless `fn` returns undefined). */
  respond(path: string, fn: Responder): void;
  /** Rewrites server → client WebSocket frames from now on. */
  onFrame(fn: FrameRewrite | undefined): void;
  /** Sends a frame to every open client socket, as if the server had. */
  injectFrame(frame: Record<string, unknown>): void;
  /** Every tRPC call seen, in order (path and input). */
  readonly calls: TrpcCall[];
  /** Stops lying: every call and frame passes through again. */
  reset(): void;
  close(): Promise<void>;
}

const readBody = (req: http.IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-length',
  'content-encoding',
  'upgrade',
  'host',
]);

/** The request as the real gateway should see it: a browser's Origin becomes the gateway's own, so its allow-list passes. */
const forwardHeaders = (headers: http.IncomingHttpHeaders, upstream: string): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers))
    if (v !== undefined && !HOP_BY_HOP.has(k)) out[k] = Array.isArray(v) ? v.join(', ') : v;
  if (out.origin) out.origin = upstream;
  delete out.referer;
  return out;
};

const decodeInput = (url: URL, body: Buffer): unknown => {
  const raw = url.searchParams.get('input') ?? (body.length > 0 ? body.toString('utf8') : undefined);
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
};

const bearer = (headers: http.IncomingHttpHeaders) => {
  const h = headers.authorization;
  return h?.startsWith('Bearer ') ? h.slice(7) : undefined;
};

const sendJson = (res: http.ServerResponse, status: number, body: unknown) => {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
};

export const startHostileServer = async (target: string): Promise<HostileServer> => {
  const upstream = target.replace(/\/+$/, '');
  const rewrites = new Map<string, AnswerRewrite>();
  const fileRewrites = new Map<string, FileRewrite>();
  const responders = new Map<string, Responder>();
  const calls: TrpcCall[] = [];
  let frameRewrite: FrameRewrite | undefined;
  const sockets = new Set<WebSocket>();

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://hostile');
    const body = await readBody(req);
    // The SDK calls /v1/trpc/<procedure>; the original path /trpc/<procedure> is the same call.
    const apiPath = url.pathname.startsWith('/v1/') ? url.pathname.slice('/v1'.length) : url.pathname;
    const trpcPath = apiPath.startsWith('/trpc/') ? apiPath.slice('/trpc/'.length) : undefined;
    let call: TrpcCall | undefined;
    if (trpcPath !== undefined) {
      const token = bearer(req.headers);
      call = { path: trpcPath, input: decodeInput(url, body), ...(token ? { token } : {}) };
      calls.push(call);
      const forged = await responders.get(trpcPath)?.(call);
      if (forged) return sendJson(res, forged.status, forged.body);
    }
    const answer = await fetch(`${upstream}${url.pathname}${url.search}`, {
      method: req.method ?? 'GET',
      headers: forwardHeaders(req.headers, upstream),
      ...(body.length > 0 && req.method !== 'GET' && req.method !== 'HEAD'
        ? { body: new Uint8Array(body) }
        : {}),
      redirect: 'manual',
    });
    let bytes: Buffer = Buffer.from(await answer.arrayBuffer());
    const fileRewrite = trpcPath === undefined ? fileRewrites.get(url.pathname) : undefined;
    if (fileRewrite && answer.ok && req.method === 'GET') {
      const contentType = answer.headers.get('content-type') ?? '';
      const changed = fileRewrite(bytes, { path: url.pathname, contentType });
      bytes = typeof changed === 'string' ? Buffer.from(changed) : changed;
    }
    const rewrite = trpcPath !== undefined ? rewrites.get(trpcPath) : undefined;
    if (rewrite && call && answer.ok) {
      const decoded = JSON.parse(bytes.toString('utf8')) as { result: { data: unknown } };
      const data = await rewrite(decoded.result.data, call);
      return sendJson(res, answer.status, { result: { data } });
    }
    const headers: Record<string, string> = {};
    answer.headers.forEach((v, k) => {
      if (!HOP_BY_HOP.has(k)) headers[k] = v;
    });
    res.writeHead(answer.status, { ...headers, 'content-length': String(bytes.length) });
    res.end(bytes);
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: Error) => {
      if (!res.headersSent) sendJson(res, 502, { error: { code: 'bad_gateway', message: err.message } });
      else res.destroy();
    });
  });

  // Live frames: the client talks to us, we talk to the real gateway, and every
  // server → client frame passes through the test's rewrite.
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    wss.handleUpgrade(req, socket, head, (client) => {
      const protocols = req.headers['sec-websocket-protocol']?.split(',').map((p) => p.trim());
      const real = new WebSocket(`${upstream.replace(/^http/, 'ws')}${req.url ?? '/'}`, protocols, {
        headers: { ...(req.headers.origin ? { origin: upstream } : {}) },
      });
      const pending: RawData[] = [];
      sockets.add(client);
      real.on('open', () => {
        for (const m of pending.splice(0)) real.send(m.toString());
      });
      client.on('message', (m) =>
        real.readyState === WebSocket.OPEN ? real.send(m.toString()) : pending.push(m),
      );
      real.on('message', (m) => {
        const text = m.toString();
        if (!frameRewrite) return client.send(text);
        let frame: Record<string, unknown>;
        try {
          frame = JSON.parse(text) as Record<string, unknown>;
        } catch {
          return client.send(text);
        }
        for (const f of frameRewrite(frame)) client.send(JSON.stringify(f));
      });
      const closeBoth = (code?: number, reason?: Buffer) => {
        sockets.delete(client);
        const valid = code !== undefined && code >= 1000 && code !== 1005 && code !== 1006;
        for (const ws of [client, real])
          if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING)
            valid ? ws.close(code, reason) : ws.terminate();
      };
      real.on('close', closeBoth);
      client.on('close', closeBoth);
      real.on('error', () => closeBoth());
      client.on('error', () => closeBoth());
      real.on('unexpected-response', (_r, response) => {
        client.close(1011, `upstream ${response.statusCode}`);
        sockets.delete(client);
      });
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    rewrite: (path, fn) => rewrites.set(path, fn),
    respond: (path, fn) => responders.set(path, fn),
    rewriteFile: (pathname, fn) => fileRewrites.set(pathname, fn),
    onFrame: (fn) => {
      frameRewrite = fn;
    },
    injectFrame: (frame) => {
      for (const s of sockets) if (s.readyState === WebSocket.OPEN) s.send(JSON.stringify(frame));
    },
    reset: () => {
      rewrites.clear();
      fileRewrites.clear();
      responders.clear();
      frameRewrite = undefined;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
