/**
 * The access ladder (public → user → internal), written once. The tRPC
 * middlewares and the HTTP fast path both climb it through `admitCaller`, so
 * the two ways into a procedure cannot disagree about who may call it.
 */
import type { Access } from '@lockbox/contracts';
import type { AuthUser, BaseContext } from './context';
import { AppError } from './errors';

/** The request credentials the ladder looks at, already verified by the HTTP layer. */
export type CallerCredentials = Pick<BaseContext, 'authorization' | 'internal' | 'authenticate'>;

/**
 * Admits a call to a procedure of the given access level: resolves to the
 * verified user for a user procedure, to undefined for a public one or an
 * internal one called with the service credential, and otherwise throws the
 * 401 the caller gets (authenticate's own error for a bad bearer token).
 */
export const admitCaller = async (
  access: Access,
  credentials: CallerCredentials,
): Promise<AuthUser | undefined> => {
  if (access === 'user') return credentials.authenticate(credentials.authorization);
  if (access === 'internal' && !credentials.internal)
    throw new AppError('unauthorized', 'service credential required');
  return undefined;
};
