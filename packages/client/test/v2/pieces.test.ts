/**
 * The v2 building blocks on their own: device list signing and verification (strict, pinned key,
 * owner, rollback and equivocation pins), archive sealing (AAD, tag binding, refusal counting,
 * dedupe), the vault's optional archive key, and the local store sealing every `mls.` key.
 */
import { newId } from '@lockbox/contracts';
import { ed25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import { MemoryStore, WRAPPED_PREFIX, WrappedSecretsStore } from '../../src';
import { fromBase64, toBase64 } from '../../src/crypto/bytes';
import { openVaultContents, sealVault } from '../../src/crypto/vault';
import {
  type ArchiveRecord,
  DeviceListPins,
  firstDeviceList,
  generateArchiveKey,
  HistoryArchive,
  openArchiveSegment,
  sealArchiveRecord,
  signDeviceList,
  verifyDeviceList,
  withArchive,
  withDevice,
  withoutDevices,
} from '../../src/v2';
import { FakeServer } from './fake-server';

const seed = ed25519.utils.randomSecretKey();
const key = ed25519.getPublicKey(seed);
const userId = newId('user');
const dev = (name: string) => ({
  deviceId: newId('device'),
  signatureKey: ed25519.getPublicKey(ed25519.utils.randomSecretKey()),
  name,
  addedAt: '2026-12-03T10:00:00.000Z',
});

describe('signed device list', () => {
  const v1 = firstDeviceList(userId, dev('laptop'));
  const v2 = withDevice(v1, dev('phone'));

  it('round-trips under the pinned key and refuses any other key, byte or owner', () => {
    const signed = signDeviceList(v2, seed);
    expect(verifyDeviceList(signed, userId, key)).toEqual(v2);
    const other = ed25519.getPublicKey(ed25519.utils.randomSecretKey());
    expect(() => verifyDeviceList(signed, userId, other)).toThrow(/bad-list-signature/);
    const body = fromBase64(signed.body);
    body[body.length - 3] = (body[body.length - 3] as number) ^ 1;
    expect(() => verifyDeviceList({ ...signed, body: toBase64(body) }, userId, key)).toThrow(
      /bad-list-signature/,
    );
    expect(() => verifyDeviceList(signed, newId('user'), key)).toThrow(/wrong-list-owner/);
    // A correctly signed body that breaks the schema (duplicate device) is still refused.
    const dup = { ...v2, devices: [v2.devices[0]!, v2.devices[0]!] };
    expect(() => verifyDeviceList(signDeviceList(dup, seed), userId, key)).toThrow(/malformed-list/);
  });

  it('pins the highest version: lower is a rollback, another body at the same version equivocation', async () => {
    const pins = new DeviceListPins(new MemoryStore(), newId('user'));
    await pins.accept(userId, signDeviceList(v2, seed), key);
    await expect(pins.accept(userId, signDeviceList(v1, seed), key)).rejects.toThrow(/list-rollback/);
    await expect(pins.accept(userId, signDeviceList(withArchive(v1, true), seed), key)).rejects.toThrow(
      /list-equivocation/,
    );
    await expect(pins.accept(userId, signDeviceList(v2, seed), undefined)).rejects.toThrow(/no-pinned-key/);
    const v3 = withoutDevices(v2, [v2.devices[1]!.deviceId]);
    expect((await pins.accept(userId, signDeviceList(v3, seed), key)).devices).toHaveLength(1);
    expect(await pins.version(userId)).toBe(3);
  });
});

describe('history archive', () => {
  const archiveKey = generateArchiveKey();
  const record = (i: number): ArchiveRecord => ({
    conversation_id: 'cnv_x',
    message_id: `msg_${i}`,
    seq: i,
    sender_id: userId,
    sent_at: '2026-12-03T10:00:00.000Z',
    payload: { type: 'text', text: `hello ${i}` },
  });

  it('opens only for the same user id, key and tag', () => {
    const s = sealArchiveRecord(archiveKey, userId, record(1));
    expect(openArchiveSegment(archiveKey, userId, s)).toEqual(record(1));
    expect(openArchiveSegment(archiveKey, newId('user'), s)).toBeUndefined();
    expect(openArchiveSegment(generateArchiveKey(), userId, s)).toBeUndefined();
    const other = sealArchiveRecord(archiveKey, userId, record(2));
    expect(openArchiveSegment(archiveKey, userId, { tag: other.tag, blob: s.blob })).toBeUndefined();
  });

  it('reads every page, dedupes by message id and counts what it refuses', async () => {
    const server = new FakeServer();
    server.lists.set(userId, {
      version: 1,
      signed: { body: '', signature: '' },
      body: { user_id: userId, version: 1, archive: true, devices: [] },
    });
    const t = server.connect(userId);
    const archive = new HistoryArchive(t, archiveKey, userId);
    await archive.append(Array.from({ length: 450 }, (_, i) => record(i + 1)));
    await archive.append([record(5)]);
    // The server slips in a segment sealed for another account, and a duplicate under a fresh tag.
    const foreign = sealArchiveRecord(archiveKey, newId('user'), record(999));
    const dupe = sealArchiveRecord(archiveKey, userId, record(7));
    server.archives
      .get(userId)!
      .push({ cursor: 'x', ...foreign }, { cursor: 'y', tag: toBase64(new Uint8Array(32)), blob: dupe.blob });
    const { records, refused } = await archive.readAll();
    expect(records.map((r) => r.seq)).toEqual(Array.from({ length: 450 }, (_, i) => i + 1));
    expect(refused).toBe(2);
  });
});

describe('vault and store', () => {
  const identities = [
    { signingSeed: seed, kemSeed: new Uint8Array(32).fill(1), createdAt: '2026-01-01T00:00:00Z' },
  ];
  const vaultKey = new Uint8Array(32).fill(9);

  it('an old vault without an archive key opens; one with it keeps it', () => {
    const old = openVaultContents(userId, vaultKey, sealVault(userId, vaultKey, { identities, counter: 1 }));
    expect(old.archiveKey).toBeUndefined();
    const archiveKey = generateArchiveKey();
    const sealed = sealVault(userId, vaultKey, { identities, counter: 2, archiveKey });
    expect(openVaultContents(userId, vaultKey, sealed).archiveKey).toEqual(archiveKey);
  });

  it('every mls.* key is sealed at rest', async () => {
    const inner = new MemoryStore();
    const saved: CryptoKey[] = [];
    const store = new WrappedSecretsStore(inner, {
      load: async () => saved.at(-1),
      save: async (k) => {
        saved.push(k);
      },
    });
    await store.set('mls.group.usr_x.cnv_y', 'GROUP-STATE');
    expect((await inner.get('mls.group.usr_x.cnv_y'))?.startsWith(WRAPPED_PREFIX)).toBe(true);
    expect(await store.get('mls.group.usr_x.cnv_y')).toBe('GROUP-STATE');
    await store.set('v2-list.usr_x.usr_y', 'public');
    expect(await inner.get('v2-list.usr_x.usr_y')).toBe('public');
  });
});
