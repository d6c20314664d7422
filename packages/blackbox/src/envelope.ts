/**
 * A send's body built by the test, so it can keep the `client_msg_id` for a
 * retry or make the opaque ciphertext big. The note rides inside the blob
 * (read back with testkit's `noteOf`); `bytes` pads the blob to that size.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { TestUser } from '@lockbox/testkit';

export interface EnvelopeOptions {
  note?: string;
  clientMsgId?: string;
  /** Decoded size of encrypted_blob (default 48; the service allows 64 KiB). */
  bytes?: number;
}

export const envelopeTo = (to: Pick<TestUser, 'id'>, opts: EnvelopeOptions = {}) => {
  const note = opts.note ?? randomUUID();
  return {
    recipient_id: to.id,
    client_msg_id: opts.clientMsgId ?? randomUUID(),
    encrypted_blob: Buffer.from(note.padEnd(opts.bytes ?? 48, '.')).toString('base64'),
    signature: randomBytes(64).toString('base64'),
  };
};
