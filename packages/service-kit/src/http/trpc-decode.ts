/**
 * Decodes the tRPC wire form, as `@trpc/client`'s httpLink speaks it:
 * `GET /trpc/a.b?input=<json>` for queries, `POST /trpc/a.b` with a JSON body
 * for mutations. Batching is refused: one call per request keeps limits and
 * logs per call.
 */
import type { IncomingMessage } from 'node:http';
import type { AnyTRPCProcedure } from '@trpc/server';
import { AppError } from '../errors';
import { parseJsonBody, parseJsonText, readBody } from './body';
import type { CallTarget, Procedures } from './call-target';

/** A target, or the refusal to answer under the decoded path (its route is still counted). */
export type TrpcTarget = CallTarget | { route: string; path: string; refusal: AppError };

/** `rawPath` is the URL path after `/trpc/`, still percent-encoded. */
export const trpcTargetOf = (
  rawPath: string,
  search: string,
  method: string,
  procedures: Procedures,
): TrpcTarget => {
  const path = decodeProcedurePath(rawPath);
  const route = `trpc:${path}`;
  if (path.includes(',') || search.includes('batch=')) {
    return { route, path, refusal: new AppError('invalid_input', 'batched calls are not supported') };
  }
  const procedure = Object.hasOwn(procedures, path) ? procedures[path] : undefined;
  const type = method === 'GET' ? 'query' : method === 'POST' ? 'mutation' : undefined;
  if (!procedure || !type || procedure._def.type !== type) {
    const code = procedure ? 'method_not_allowed' : 'not_found';
    return { route, path, refusal: new AppError(code, `no ${type ?? method} procedure "${path}"`) };
  }
  return { route, path, procedure, successStatus: 200 };
};

/** A query's input is the `input` parameter; a mutation's is the body. */
export const readTrpcInput = async (
  req: IncomingMessage,
  procedure: AnyTRPCProcedure,
  search: string,
  bodyLimit: number,
): Promise<unknown> => {
  if (procedure._def.type === 'query') {
    const raw = new URLSearchParams(search).get('input');
    return raw === null ? undefined : parseJsonText(raw);
  }
  return parseJsonBody(await readBody(req, bodyLimit), req.headers['content-type']);
};

/** A tRPC procedure name from the URL; malformed percent-encoding names no procedure (404, not a 500). */
const decodeProcedurePath = (raw: string): string => {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new AppError('not_found', 'no such procedure');
  }
};
