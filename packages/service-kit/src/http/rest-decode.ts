/**
 * Decodes the REST wire form, on the paths the contract declares (API.md):
 * the input is the query string (GET, DELETE) or the JSON body, merged with
 * the path parameters.
 */
import type { IncomingMessage } from 'node:http';
import type { AnyTRPCProcedure } from '@trpc/server';
import { AppError } from '../errors';
import { safeUrl } from '../logger';
import { assertPlainKey, parseJsonBody, readBody } from './body';
import type { CallTarget, Procedures } from './call-target';
import type { RestRouter } from './rest-router';

export interface RestTarget extends CallTarget {
  params: Record<string, string>;
}

/** The route's procedure; 404 for an unknown path, 405 for a known path under another method. */
export const restTargetOf = (
  rest: RestRouter,
  method: string,
  pathname: string,
  procedures: Procedures,
): RestTarget => {
  const match = rest.match(method, pathname);
  if (match === undefined || match === 'method') {
    throw new AppError(match ? 'method_not_allowed' : 'not_found', `no route ${method} ${safeUrl(pathname)}`);
  }
  const path = match.route.name;
  return {
    route: path,
    path,
    procedure: procedures[path] as AnyTRPCProcedure,
    successStatus: match.route.rest.status ?? 200,
    params: match.params,
  };
};

export const readRestInput = async (
  req: IncomingMessage,
  method: string,
  search: string,
  params: Record<string, string>,
  bodyLimit: number,
): Promise<unknown> => {
  const input =
    method === 'GET' || method === 'DELETE'
      ? queryObject(search)
      : parseJsonBody(await readBody(req, bodyLimit), req.headers['content-type']);
  if (Object.keys(params).length > 0) return mergeParams(input, params);
  // An empty object says nothing: procedures whose input is optional see undefined.
  if (input && typeof input === 'object' && !Array.isArray(input) && Object.keys(input).length === 0)
    return undefined;
  return input;
};

/** Query string → object; a repeated key is ambiguous and refused. */
const queryObject = (search: string): Record<string, string> | undefined => {
  if (!search) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(search)) {
    // `out.__proto__ = v` would not even make a key; refuse it as the body parser does.
    assertPlainKey(k);
    if (Object.hasOwn(out, k)) throw new AppError('invalid_input', `query parameter "${k}" repeated`);
    out[k] = v;
  }
  return out;
};

const mergeParams = (input: unknown, params: Record<string, string>): unknown => {
  if (input === undefined) return { ...params };
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return input; // let the schema refuse it
  for (const k of Object.keys(params)) {
    if (Object.hasOwn(input, k) && (input as Record<string, unknown>)[k] !== params[k])
      throw new AppError('invalid_input', `"${k}" differs between path and body`);
  }
  return { ...(input as object), ...params };
};
