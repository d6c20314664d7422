/** The `keyPackages` namespace: a device's pool on the server, and claiming other devices' KeyPackages. */
import type { AuthContract } from '@lockbox/contracts';
import type { HandlersOf } from '@lockbox/service-kit';
import type { AuthDeps } from '../deps';
import { requireSessionDevice } from '../devices/session-device';
import { claimKeyPackagesHandler } from './claim-key-packages';
import { countKeyPackages, uploadKeyPackagesHandler } from './upload-key-packages';

export const keyPackagesHandlers = (deps: AuthDeps): HandlersOf<AuthContract['keyPackages']> => ({
  upload: uploadKeyPackagesHandler(deps),
  count: async ({ ctx }) =>
    countKeyPackages(deps.db, await requireSessionDevice(deps.db, ctx.user.sessionId)),
  claim: claimKeyPackagesHandler(deps),
});
