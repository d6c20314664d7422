/**
 * Reads a JSON request body defensively: size checked before and while
 * reading (413), content type checked (415), strict UTF-8 (400), and keys that
 * aim at prototypes refused outright (400) before any object is built from them.
 */
import type { IncomingMessage } from 'node:http';
import { AppError } from '../errors';

const utf8 = new TextDecoder('utf-8', { fatal: true });
const PROTOTYPE_KEY = /"(?:__proto__|constructor|prototype)"\s*:/;

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
  if (PROTOTYPE_KEY.test(text))
    throw new AppError('invalid_input', 'keys "__proto__", "constructor" and "prototype" are not allowed');
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError('invalid_json', 'body is not valid JSON');
  }
};
