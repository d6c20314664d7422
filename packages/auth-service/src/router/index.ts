/** The auth service's router: the contract implemented by one small handler file per namespace. */
import { authContract } from '@lockbox/contracts';
import { implement } from '@lockbox/service-kit';
import type { AuthDeps } from '../deps';
import { archiveHandlers } from './archive';
import { authHandlers } from './auth';
import { devicesHandlers } from './devices';
import { internalHandlers } from './internal';
import { keyPackagesHandlers } from './key-packages';
import { keysHandlers } from './keys';
import { usersHandlers } from './users';
import { vaultHandlers } from './vault';

export const createAuthRouter = (deps: AuthDeps) =>
  implement(authContract, {
    auth: authHandlers(deps),
    keys: keysHandlers(deps),
    vault: vaultHandlers(deps),
    users: usersHandlers(deps),
    devices: devicesHandlers(deps),
    keyPackages: keyPackagesHandlers(deps),
    archive: archiveHandlers(deps),
    internal: internalHandlers(deps),
  });
