/**
 * Minimal MLS wire bytes for suites that exercise the Delivery Service, which reads only a
 * message's cleartext header (@lockbox/mls peekHeader): a PrivateMessage with the given group id,
 * epoch and content type around random "ciphertext", and a Welcome with no secrets. Nothing here
 * decrypts; real group messages are built with @lockbox/mls in its own tests.
 */
import { randomBytes } from 'node:crypto';

/** RFC 9420 §2.1.2 variable-length integer. */
const varint = (n: number): Buffer => {
  if (n < 0x40) return Buffer.from([n]);
  if (n < 0x4000) return Buffer.from([0x40 | (n >> 8), n & 0xff]);
  const b = Buffer.alloc(4);
  b.writeUInt32BE((0x80000000 | n) >>> 0);
  return b;
};
const vector = (bytes: Uint8Array): Buffer => Buffer.concat([varint(bytes.length), bytes]);
const u16 = (n: number): Buffer => {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
};

const CONTENT_TYPE = { application: 1, proposal: 2, commit: 3 } as const;
const MLS10 = 1;
const PRIVATE_MESSAGE = 2;
const WELCOME = 3;

/** An MLSMessage framing a PrivateMessage of conversation `groupId` (its UTF-8 bytes) at `epoch`. */
export const mlsPrivateMessage = (
  groupId: string,
  epoch: number,
  contentType: keyof typeof CONTENT_TYPE,
  ciphertextBytes = 64,
): Buffer => {
  const e = Buffer.alloc(8);
  e.writeBigUInt64BE(BigInt(epoch));
  return Buffer.concat([
    u16(MLS10),
    u16(PRIVATE_MESSAGE),
    vector(Buffer.from(groupId, 'utf8')),
    e,
    Buffer.from([CONTENT_TYPE[contentType]]),
    vector(new Uint8Array()),
    vector(randomBytes(32)),
    vector(randomBytes(ciphertextBytes)),
  ]);
};

/** An MLSMessage framing a Welcome (cipher suite 1, no secrets, random encrypted GroupInfo). */
export const mlsWelcome = (encryptedGroupInfoBytes = 160): Buffer =>
  Buffer.concat([
    u16(MLS10),
    u16(WELCOME),
    u16(1),
    vector(new Uint8Array()),
    vector(randomBytes(encryptedGroupInfoBytes)),
  ]);
