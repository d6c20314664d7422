/** The `devices` namespace: the caller's signed device list, and anyone's for reading. */
import type { AuthContract } from '@lockbox/contracts';
import type { HandlersOf } from '@lockbox/service-kit';
import type { AuthDeps } from '../deps';
import { type DeviceRow, deviceInfoOf, sessionDeviceOf } from '../devices/session-device';
import { storedListOf } from '../devices/signed-list';
import { registerDeviceHandler } from './register-device';
import { updateDeviceListHandler } from './update-device-list';

interface ListRow {
  body: Uint8Array;
  signature: Uint8Array;
}
const LIST_SQL = 'SELECT body, signature FROM lockbox_auth.device_lists WHERE user_id = $1';

export const devicesHandlers = (deps: AuthDeps): HandlersOf<AuthContract['devices']> => ({
  register: registerDeviceHandler(deps),

  mine: async ({ ctx }) => {
    const [[list], devices, current] = await Promise.all([
      deps.db.query<ListRow>(LIST_SQL, [ctx.user.id]),
      deps.db.query<DeviceRow>(
        `SELECT id, created_at, last_seen_at FROM lockbox_auth.devices
          WHERE user_id = $1 AND revoked_at IS NULL ORDER BY created_at, id`,
        [ctx.user.id],
      ),
      sessionDeviceOf(deps.db, ctx.user.sessionId),
    ]);
    return {
      device_list: list ? storedListOf(list) : null,
      devices: devices.map((d) => deviceInfoOf(d, current)),
    };
  },

  list: async ({ input }) => {
    const [list] = await deps.db.query<ListRow>(LIST_SQL, [input.user_id]);
    return { device_list: list ? storedListOf(list) : null };
  },

  update: updateDeviceListHandler(deps),
});
