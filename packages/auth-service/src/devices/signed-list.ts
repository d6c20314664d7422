/**
 * Checking a signed device list the caller sends (docs/SECURITY.md 10.12):
 * the signature over the exact body bytes against the caller's published
 * identity key (a courtesy check: clients verify against their pinned key),
 * then the body parsed strictly, for this account, at the next version.
 */
import {
  deviceListSigningBytes,
  parseDeviceListBody,
  type TDeviceListBody,
  type TDeviceListEntry,
  type TSignedDeviceList,
} from '@lockbox/contracts';
import { AppError, type Queryable } from '@lockbox/service-kit';
import { ed25519 } from '@noble/curves/ed25519.js';

const b64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));

export interface StoredList {
  version: number;
  body: Uint8Array;
  signature: Uint8Array;
  archive: boolean;
}

export interface CheckedList {
  list: TDeviceListBody;
  body: Uint8Array;
  signature: Uint8Array;
}

/** The account's current list, locked for the rest of the transaction (the version check needs it). */
export const lockStoredList = async (tx: Queryable, userId: string): Promise<StoredList | undefined> => {
  const [row] = await tx.query<StoredList>(
    `SELECT version, body, signature, archive FROM lockbox_auth.device_lists WHERE user_id = $1 FOR UPDATE`,
    [userId],
  );
  return row;
};

export const storedListOf = (row: { body: Uint8Array; signature: Uint8Array }): TSignedDeviceList => ({
  body: Buffer.from(row.body).toString('base64'),
  signature: Buffer.from(row.signature).toString('base64'),
});

const publishedIdentityKey = async (tx: Queryable, userId: string): Promise<Uint8Array> => {
  const [row] = await tx.query<{ identity_key: string }>(
    `SELECT bundle->>'identity_key' AS identity_key FROM lockbox_auth.key_bundles WHERE user_id = $1`,
    [userId],
  );
  if (!row?.identity_key)
    throw new AppError('conflict', 'publish your key bundle before signing a device list');
  return b64(row.identity_key);
};

/** Verifies and parses a list the caller sent; refuses it (4xx) unless it is the next version of theirs. */
export const checkSignedList = async (
  tx: Queryable,
  userId: string,
  signed: TSignedDeviceList,
  stored: StoredList | undefined,
): Promise<CheckedList> => {
  const body = b64(signed.body);
  const signature = b64(signed.signature);
  const identityKey = await publishedIdentityKey(tx, userId);
  let valid = false;
  try {
    // Strict RFC 8032, as clients verify: a list the server keeps must be one every client accepts.
    valid = ed25519.verify(signature, deviceListSigningBytes(body), identityKey, { zip215: false });
  } catch {
    valid = false;
  }
  if (!valid)
    throw new AppError(
      'invalid_input',
      "device list signature does not verify with this account's identity key",
    );
  const parsed = parseDeviceListBody(body);
  if (!parsed.ok) throw new AppError('invalid_input', parsed.problem);
  const { list } = parsed;
  if (list.user_id !== userId) throw new AppError('invalid_input', "the device list is not this account's");
  const expected = (stored?.version ?? 0) + 1;
  if (list.version !== expected)
    throw new AppError(
      'conflict',
      `device list version must be ${expected}: the current version is ${stored?.version ?? 0}`,
    );
  return { list, body, signature };
};

/** The previous list's entries by device id (empty before the first list). */
export const entriesOf = (stored: StoredList | undefined): Map<string, TDeviceListEntry> => {
  if (!stored) return new Map();
  const parsed = parseDeviceListBody(stored.body);
  // Stored bodies were checked on the way in; a broken one is a server fault, not the caller's.
  if (!parsed.ok) throw new Error('stored device list does not parse');
  return new Map(parsed.list.devices.map((d) => [d.device_id, d]));
};

export const sameEntry = (a: TDeviceListEntry, b: TDeviceListEntry) =>
  a.device_id === b.device_id &&
  a.signature_key === b.signature_key &&
  a.name === b.name &&
  a.added_at === b.added_at;

/**
 * Writes the checked list as the account's current one. Conditional on the
 * version it replaces, so two first lists racing (nothing to lock yet) or any
 * writer that skipped the lock cannot both win: the loser gets 409.
 */
export const storeList = async (tx: Queryable, userId: string, checked: CheckedList): Promise<void> => {
  const { list, body, signature } = checked;
  const written =
    list.version === 1
      ? await tx.query(
          `INSERT INTO lockbox_auth.device_lists (user_id, version, body, signature, archive)
           VALUES ($1, 1, $2, $3, $4) ON CONFLICT (user_id) DO NOTHING RETURNING 1`,
          [userId, body, signature, list.archive],
        )
      : await tx.query(
          `UPDATE lockbox_auth.device_lists SET version = $2, body = $3, signature = $4, archive = $5,
                  updated_at = now()
            WHERE user_id = $1 AND version = $2 - 1 RETURNING 1`,
          [userId, list.version, body, signature, list.archive],
        );
  if (written.length === 0)
    throw new AppError('conflict', 'the device list changed meanwhile; read it again');
};
