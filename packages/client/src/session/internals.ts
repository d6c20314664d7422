/**
 * What LockboxSession shares with its domain objects. Each domain takes a
 * `Pick` of this (its context), so what it can reach is written in its type.
 */
import type { LockboxApi } from '../api/client';
import type { Argon2id, RandomSource } from '../crypto';
import type { WebSocketFactory } from '../realtime/client';
import type { KeyValueStore } from '../store/types';
import type { ContactKeys } from './contact-keys';
import type { People } from './people';
import type { PinSync } from './pin-sync';
import type { Profile } from './profile';
import type { SignedInState } from './signed-in';
import type { V2Runtime } from './v2-runtime';

export interface SessionInternals {
  api: LockboxApi;
  profile: Profile;
  keys: ContactKeys;
  pinSync: PinSync;
  random: RandomSource;
  argon2id: Argon2id;
  signedIn: SignedInState;
  /** Name or id → user, shared by every domain that takes a username. */
  people: People;
  /** Where this device keeps its replay memory (SeenMessages). */
  store: KeyValueStore;
  /** The gateway and socket factory `live.listen` connects with. */
  realtime: { baseUrl: string; webSocket?: WebSocketFactory };
  /** E2E v2 for the signed-in device (the engine, local v2 history); v1 when unavailable. */
  v2: V2Runtime;
}

/**
 * Each session's internals, for white-box tests only (not exported by any
 * entry): e.g. which RandomSource a session really uses (test/unit/testing-entry.test.ts).
 */
export const internalsOf = new WeakMap<object, SessionInternals>();
