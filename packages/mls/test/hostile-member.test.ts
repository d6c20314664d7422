/**
 * A member can derive every member's message keys in its epoch (MLS's known property), so it can
 * forge sender data; what stops it is the signature. Here a hostile member builds messages with
 * ts-mls's own protection code from its real state: naming another member as sender, and naming
 * a blank leaf.
 */
import { decodeGroupState } from 'ts-mls';
import { protectApplicationData } from 'ts-mls/messageProtection.js';
import { defaultPaddingConfig } from 'ts-mls/paddingConfig.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { type GroupMember, loadCiphersuite } from '../src';
import { encodeWire } from '../src/wire';
import {
  deviceWithKeyPackage,
  directory,
  expectRefusal,
  groupOf,
  newAccount,
  newDevice,
  text,
  utf8,
} from './helpers';

const alice = newAccount('usr_alice');
const bob = newAccount('usr_bob');
const accountKeyFor = directory(alice, bob);

/** A message from `author`'s real state whose sender data claims leaf `leafIndex`. */
const forge = async (author: GroupMember, leafIndex: number, body: string): Promise<Uint8Array> => {
  const cs = await loadCiphersuite();
  const state = decodeGroupState(author.export(), 0)![0];
  const { privateMessage } = await protectApplicationData(
    state.signaturePrivateKey,
    state.keySchedule.senderDataSecret,
    utf8(body),
    new Uint8Array(0),
    state.groupContext,
    state.secretTree,
    leafIndex,
    defaultPaddingConfig,
    cs,
  );
  return encodeWire({ version: 'mls10', wireformat: 'mls_private_message', privateMessage });
};

describe('a hostile member forging sender data', () => {
  let a: GroupMember;
  let b: GroupMember;
  let c: GroupMember;

  beforeAll(async () => {
    const others = [
      await deviceWithKeyPackage(bob, 'dev_b1'),
      await deviceWithKeyPackage(bob, 'dev_b2'),
      await deviceWithKeyPackage(alice, 'dev_a2'),
    ];
    let d: GroupMember;
    [a, b, d, c] = (await groupOf(await newDevice(alice, 'dev_a1'), others, accountKeyFor)) as [
      GroupMember,
      GroupMember,
      GroupMember,
      GroupMember,
    ];
    // Remove the device at leaf 2, leaving a blank leaf inside the tree.
    const removal = await a.removeDevices([{ userId: 'usr_bob', deviceId: 'dev_b2' }]);
    await a.merge(removal);
    await b.receive(removal.commit);
    await c.receive(removal.commit);
    await d.receive(removal.commit);
  });

  it('its own leaf, honestly: accepted (the forging code itself works)', async () => {
    const got = await b.receive(await forge(c, 3, 'honest'));
    expect(got.kind === 'application' && got.sender.deviceId).toBe('dev_a2');
    expect(got.kind === 'application' && text(got.plaintext)).toBe('honest');
  });

  it('claiming to be another member: refused as bad-signature', async () => {
    await expectRefusal(b.receive(await forge(c, 0, 'I am dev_a1')), 'bad-signature');
  });

  it('naming the removed, blank leaf: refused as unknown-sender', async () => {
    await expectRefusal(b.receive(await forge(c, 2, 'from nobody')), 'unknown-sender');
  });
});
