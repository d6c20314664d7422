/** What the realtime procedures share, built once at start. */
import type { FanOut } from './delivery/fan-out';
import type { RealtimeEnv } from './env';
import type { ConnectionRegistry } from './socket/registry';

export interface RealtimeDeps {
  env: RealtimeEnv;
  registry: ConnectionRegistry;
  fanOut: FanOut;
  instance: string;
}
