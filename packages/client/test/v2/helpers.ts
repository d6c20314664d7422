/** Accounts and devices for the v2 tests: real keys, real MLS, the in-memory server. */
import { newId } from '@lockbox/contracts';
import { ed25519 } from '@noble/curves/ed25519.js';
import type { Payload } from '../../src/crypto/payload';
import { MemoryStore } from '../../src/store/memory';
import type { KeyValueStore } from '../../src/store/types';
import {
  generateArchiveKey,
  V2Engine,
  type V2EngineOptions,
  type V2Event,
  type V2Transport,
} from '../../src/v2';
import type { FakeServer } from './fake-server';

export interface Account {
  userId: string;
  seed: Uint8Array;
  identityKey: Uint8Array;
  archiveKey: Uint8Array;
}

export const newAccount = (server: FakeServer): Account => {
  const seed = ed25519.utils.randomSecretKey();
  const a = {
    userId: newId('user'),
    seed,
    identityKey: ed25519.getPublicKey(seed),
    archiveKey: generateArchiveKey(),
  };
  server.addUser(a.userId, a.identityKey);
  return a;
};

/** What every device of these tests has pinned: the account keys of the given accounts. */
export const pinned =
  (...accounts: Account[]) =>
  (userId: string) =>
    accounts.find((a) => a.userId === userId)?.identityKey;

export interface TestDevice {
  engine: V2Engine;
  store: MemoryStore;
  transport: V2Transport;
  name: string;
  options: V2EngineOptions;
}

export const POOL = { low: 2, target: 3 };

export const openDevice = async (
  server: FakeServer,
  account: Account,
  keys: (userId: string) => Uint8Array | undefined,
  name: string,
  wrap: (t: V2Transport) => V2Transport = (t) => t,
  store = new MemoryStore(),
): Promise<TestDevice> => {
  const transport = wrap(server.connect(account.userId));
  const options = {
    store,
    transport,
    userId: account.userId,
    accountSigningSeed: account.seed,
    accountKeyFor: keys,
    deviceName: name,
    archiveKey: account.archiveKey,
    pool: POOL,
  };
  const engine = await V2Engine.open(options);
  await engine.start();
  return { engine, store, transport, name, options };
};

export const copyStore = async (from: KeyValueStore): Promise<MemoryStore> => {
  const to = new MemoryStore();
  for (const k of await from.keys('')) await to.set(k, (await from.get(k)) as string);
  return to;
};

export const text = (t: string): Payload => ({ type: 'text', text: t });

export const texts = (events: V2Event[]): string[] =>
  events.flatMap((e) => (e.kind === 'message' && e.payload.type === 'text' ? [e.payload.text] : []));
