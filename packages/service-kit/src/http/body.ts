/**
 * Reads a JSON request body defensively: size checked before and while
 * reading (413), content type checked (415), strict UTF-8 (400), and after
 * parsing, keys that aim at prototypes and nesting deeper than any contract
 * needs are refused (400) before a procedure sees the value.
 */
import type { IncomingMessage } from 'node:http';
import { AppError } from '../errors';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Deeper than any LockBox shape; bounds the recursion of whatever walks the value later (zod, JSON.stringify). */
export const MAX_JSON_DEPTH = 64;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Refuses a key that aims at a prototype (body keys and query parameter names alike). */
export const assertPlainKey = (key: string) => {
  if (FORBIDDEN_KEYS.has(key))
    throw new AppError('invalid_input', 'keys "__proto__", "constructor" and "prototype" are not allowed');
};

export const readBody = (req: IncomingMessage, limit: number): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) {
      reject(new AppError('payload_too_large', `body over ${limit} bytes`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        reject(new AppError('payload_too_large', `body over ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)));
    req.once('error', reject);
  });

const isJsonType = (contentType: string | undefined) => {
  if (!contentType) return false;
  const [type, ...params] = contentType.split(';').map((p) => p.trim().toLowerCase());
  if (type !== 'application/json') return false;
  return params.every((p) => !p.startsWith('charset=') || p === 'charset=utf-8');
};

/** Parses a body that must be JSON; an empty body is `undefined`. */
export const parseJsonBody = (raw: Buffer, contentType: string | undefined): unknown => {
  if (raw.length === 0) return undefined;
  if (!isJsonType(contentType))
    throw new AppError('unsupported_media_type', 'send JSON with Content-Type: application/json');
  let text: string;
  try {
    text = utf8.decode(raw);
  } catch {
    throw new AppError('invalid_json', 'body is not valid UTF-8');
  }
  return parseJsonText(text);
};

export const parseJsonText = (text: string): unknown => {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new AppError('invalid_json', 'body is not valid JSON');
  }
  checkShape(value);
  return value;
};

/**
 * Walks the parsed value without recursion. Checked on the parsed keys, not the
 * text, so escaped spellings (`"\u005f_proto__"`) are caught and string values
 * that merely mention those words are not.
 */
const checkShape = (root: unknown) => {
  if (typeof root !== 'object' || root === null) return;
  const stack: Array<[object, number]> = [[root, 1]];
  for (let item = stack.pop(); item; item = stack.pop()) {
    const [node, depth] = item;
    if (depth > MAX_JSON_DEPTH)
      throw new AppError('invalid_input', `JSON nested more than ${MAX_JSON_DEPTH} levels deep`);
    if (Array.isArray(node)) {
      for (const child of node)
        if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
      continue;
    }
    for (const key of Object.keys(node)) {
      assertPlainKey(key);
      const child = (node as Record<string, unknown>)[key];
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
};
