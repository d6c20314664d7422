/**
 * What a procedure may know about its request: the context types, and the two
 * classes the HTTP fast path builds them with.
 *
 * Both are classes rather than object literals with a `get log()`: a literal
 * builds a getter closure and an accessor property per request, which was
 * measurably dearer in the service benchmark. Each child logger is made only
 * when something logs. `log` lives on the prototype, so a spread copy
 * (`{ ...ctx }`) has none: pass it explicitly, as the user middleware does.
 */
import type { Logger } from './logger';
import { safeUrl } from './logger';

export interface AuthUser {
  id: string;
  username: string;
  sessionId: string;
}

export interface BaseContext {
  requestId: string;
  /** Request-scoped logger (requestId, path; userId once known). */
  log: Logger;
  /** The client's address: the socket's, or the gateway's word for it when the gateway proved itself. */
  clientIp: string;
  authorization: string | undefined;
  /** True when the caller presented the internal service credential. */
  internal: boolean;
  /** Verifies a bearer token; throws AppError('unauthorized') when it is not a live access token. */
  authenticate: (authorization: string | undefined) => Promise<AuthUser>;
}

export interface UserContext extends BaseContext {
  user: AuthUser;
}

/** A request's context; its logger is bound to the request id and the (masked) path. */
export class RequestContext implements BaseContext {
  #log: Logger | undefined;
  readonly #root: Logger;
  readonly #pathname: string;
  constructor(
    readonly requestId: string,
    readonly clientIp: string,
    readonly authorization: string | undefined,
    readonly internal: boolean,
    readonly authenticate: (authorization: string | undefined) => Promise<AuthUser>,
    root: Logger,
    pathname: string,
  ) {
    this.#root = root;
    this.#pathname = pathname;
  }
  get log(): Logger {
    this.#log ??= this.#root.child({ requestId: this.requestId, path: safeUrl(this.#pathname) });
    return this.#log;
  }
}

/**
 * The context a user procedure's handler gets on the direct path: the
 * request's, plus the verified user. Copied field by field, not spread:
 * spreading would also run the request's `log` getter, so every user request
 * would build two child loggers that almost none use.
 */
export class UserRequestContext implements UserContext {
  readonly requestId: string;
  readonly clientIp: string;
  readonly authorization: string | undefined;
  readonly internal: boolean;
  readonly authenticate: BaseContext['authenticate'];
  readonly #request: BaseContext;
  #log: Logger | undefined;
  constructor(
    request: BaseContext,
    readonly user: AuthUser,
  ) {
    this.requestId = request.requestId;
    this.clientIp = request.clientIp;
    this.authorization = request.authorization;
    this.internal = request.internal;
    this.authenticate = request.authenticate;
    this.#request = request;
  }
  get log(): Logger {
    this.#log ??= this.#request.log.child({ userId: this.user.id });
    return this.#log;
  }
}
