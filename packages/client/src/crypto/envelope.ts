/**
 * Envelope v1: one message, encrypted for its recipient and its sender, signed
 * by the sender. Binary (all integers big-endian), then base64 into
 * `encrypted_blob`; the 64-byte signature travels separately as `signature`.
 *
 *   header  = 0x01 (version)
 *             ‖ u8 len ‖ sender_id ‖ u8 len ‖ recipient_id ‖ u8 len ‖ client_msg_id
 *             ‖ u64 timestamp (ms) ‖ sender Ed25519 key (32) ‖ recipient Ed25519 key (32)
 *             ‖ payload nonce (24) ‖ key commitment (32)
 *   wraps   = u8 count (2) ‖ { u8 role ‖ X-Wing ciphertext (1120) ‖ wrapped key (48) } × count
 *   body    = u32 len ‖ XChaCha20-Poly1305(content key, nonce, aad = header).encrypt(padded payload)
 *   envelope  = header ‖ wraps ‖ body
 *   signature = Ed25519(sender key, "lockbox/envelope/v1/signature" ‖ 0x00 ‖ envelope)
 *
 * Opening checks, in order: version; exact layout (no trailing bytes); the
 * header's ids equal the server's metadata (a replay under another id,
 * recipient or sender is refused); the sender key equals the pinned one (else
 * `key_changed` when the message is validly signed by the new key); the
 * signature; then unwrap, check the key commitment, and decrypt. Any failure
 * throws; nothing is returned half-checked.
 *
 * Key commitment = SHA-256("lockbox/envelope/v1/key-commitment" ‖ 0x00 ‖ content key).
 * Poly1305 AEADs are not key-committing: without it a malicious sender could
 * wrap different content keys for recipient and sender under which the one
 * ciphertext decrypts to different texts ("invisible salamanders"). With the
 * signed commitment both readers provably decrypt with the same key.
 */
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { ByteReader, ByteWriter, bytesEqual, concatBytes, utf8 } from './bytes';
import { CryptoError } from './errors';
import { IDENTITY_KEY_LENGTH, type Identity, type PublicIdentity } from './identity';
import {
  CONTENT_KEY_LENGTH,
  KEM_CIPHERTEXT_LENGTH,
  type KeyWrap,
  ROLE,
  type Role,
  unwrapContentKey,
  WRAPPED_KEY_LENGTH,
  wrapContentKey,
} from './key-wrap';
import {
  decodePayload,
  encodePayload,
  PAYLOAD_MAX_BYTES,
  type Payload,
  type ReceivedPayload,
} from './payload';
import { type RandomSource, systemRandom } from './random';

export const ENVELOPE_VERSION = 1;
export const SIGNATURE_CONTEXT = 'lockbox/envelope/v1/signature';
export const SIGNATURE_LENGTH = 64;
export const NONCE_LENGTH = 24;
export const COMMITMENT_LENGTH = 32;
export const KEY_COMMITMENT_LABEL = 'lockbox/envelope/v1/key-commitment';
const BODY_MAX = PAYLOAD_MAX_BYTES * 2;

export interface EnvelopeHeader {
  version: number;
  senderId: string;
  recipientId: string;
  clientMsgId: string;
  /** Sender's clock, ms since the epoch. Informational: the server's `created_at` orders messages. */
  timestamp: number;
  senderIdentityKey: Uint8Array;
  recipientIdentityKey: Uint8Array;
  nonce: Uint8Array;
  keyCommitment: Uint8Array;
}

export interface Envelope {
  header: EnvelopeHeader;
  /** The exact header bytes: AEAD associated data and wrap transcript. */
  headerBytes: Uint8Array;
  wraps: KeyWrap[];
  ciphertext: Uint8Array;
}

export const encodeHeader = (h: EnvelopeHeader): Uint8Array =>
  new ByteWriter()
    .u8(h.version)
    .shortString(h.senderId)
    .shortString(h.recipientId)
    .shortString(h.clientMsgId)
    .u64(h.timestamp)
    .fixed(h.senderIdentityKey, IDENTITY_KEY_LENGTH)
    .fixed(h.recipientIdentityKey, IDENTITY_KEY_LENGTH)
    .fixed(h.nonce, NONCE_LENGTH)
    .fixed(h.keyCommitment, COMMITMENT_LENGTH)
    .finish();

export const commitToKey = (contentKey: Uint8Array): Uint8Array =>
  sha256(concatBytes(utf8(KEY_COMMITMENT_LABEL), Uint8Array.of(0), contentKey));

export const encodeEnvelope = (headerBytes: Uint8Array, wraps: KeyWrap[], ciphertext: Uint8Array) => {
  const w = new ByteWriter().fixed(headerBytes, headerBytes.length).u8(wraps.length);
  for (const wrap of wraps)
    w.u8(wrap.role)
      .fixed(wrap.kemCiphertext, KEM_CIPHERTEXT_LENGTH)
      .fixed(wrap.wrappedKey, WRAPPED_KEY_LENGTH);
  return w.longBytes(ciphertext).finish();
};

export const decodeEnvelope = (bytes: Uint8Array): Envelope => {
  if (bytes.length === 0) throw new CryptoError('malformed', 'empty envelope');
  if (bytes[0] !== ENVELOPE_VERSION)
    throw new CryptoError('unsupported_version', `envelope version ${bytes[0]} is not supported`);
  try {
    const r = new ByteReader(bytes);
    const header: EnvelopeHeader = {
      version: r.u8(),
      senderId: r.shortString(),
      recipientId: r.shortString(),
      clientMsgId: r.shortString(),
      timestamp: r.u64(),
      senderIdentityKey: r.fixed(IDENTITY_KEY_LENGTH),
      recipientIdentityKey: r.fixed(IDENTITY_KEY_LENGTH),
      nonce: r.fixed(NONCE_LENGTH),
      keyCommitment: r.fixed(COMMITMENT_LENGTH),
    };
    const headerBytes = bytes.slice(0, r.position);
    const count = r.u8();
    if (count !== 2) throw new Error('an envelope carries exactly two key wraps');
    const wraps: KeyWrap[] = [];
    for (let i = 0; i < count; i++) {
      const role = r.u8();
      if (role !== ROLE.recipient && role !== ROLE.sender) throw new Error(`unknown wrap role ${role}`);
      if (wraps.some((w) => w.role === role)) throw new Error('duplicate wrap role');
      wraps.push({
        role,
        kemCiphertext: r.fixed(KEM_CIPHERTEXT_LENGTH),
        wrappedKey: r.fixed(WRAPPED_KEY_LENGTH),
      });
    }
    const ciphertext = r.longBytes(BODY_MAX);
    r.end();
    return { header, headerBytes, wraps, ciphertext };
  } catch (err) {
    throw new CryptoError('malformed', `envelope does not parse: ${(err as Error).message}`);
  }
};

const signedBytes = (envelope: Uint8Array) =>
  concatBytes(utf8(SIGNATURE_CONTEXT), Uint8Array.of(0), envelope);

export interface SealInput {
  sender: { userId: string; identity: Identity };
  recipient: { userId: string; identity: PublicIdentity };
  clientMsgId: string;
  payload: Payload;
  timestamp?: number;
  random?: RandomSource;
}

export interface SealedMessage {
  envelope: Uint8Array;
  signature: Uint8Array;
}

export const sealMessage = (input: SealInput): SealedMessage => {
  const random = input.random ?? systemRandom;
  const nonce = random(NONCE_LENGTH);
  const contentKey = random(CONTENT_KEY_LENGTH);
  const headerBytes = encodeHeader({
    version: ENVELOPE_VERSION,
    senderId: input.sender.userId,
    recipientId: input.recipient.userId,
    clientMsgId: input.clientMsgId,
    timestamp: input.timestamp ?? Date.now(),
    senderIdentityKey: input.sender.identity.identityKey,
    recipientIdentityKey: input.recipient.identity.identityKey,
    nonce,
    keyCommitment: commitToKey(contentKey),
  });
  const ciphertext = xchacha20poly1305(contentKey, nonce, headerBytes).encrypt(encodePayload(input.payload));
  const wraps = [
    wrapContentKey(contentKey, input.recipient.identity.kemPublicKey, ROLE.recipient, headerBytes, random),
    wrapContentKey(contentKey, input.sender.identity.kemPublicKey, ROLE.sender, headerBytes, random),
  ];
  contentKey.fill(0);
  const envelope = encodeEnvelope(headerBytes, wraps, ciphertext);
  const signature = ed25519.sign(signedBytes(envelope), input.sender.identity.secrets.signingSeed);
  return { envelope, signature };
};

/** What the server says about the message; the envelope must agree with it. */
export interface MessageMetadata {
  senderId: string;
  recipientId: string;
  clientMsgId: string;
}

export interface OpenInput {
  envelope: Uint8Array;
  signature: Uint8Array;
  metadata: MessageMetadata;
  /** The sender's pinned Ed25519 identity key (my own when I sent it). */
  senderIdentityKey: Uint8Array;
  /** Who is reading: my user id and my identities, current first, then older ones. */
  reader: { userId: string; identities: Identity[] };
}

export interface OpenedMessage {
  header: EnvelopeHeader;
  payload: ReceivedPayload;
}

const verifySignature = (signature: Uint8Array, envelope: Uint8Array, key: Uint8Array): boolean => {
  try {
    return ed25519.verify(signature, signedBytes(envelope), key, { zip215: false });
  } catch {
    return false;
  }
};

export const openMessage = (input: OpenInput): OpenedMessage => {
  const { header, headerBytes, wraps, ciphertext } = decodeEnvelope(input.envelope);
  const meta = input.metadata;
  if (
    header.senderId !== meta.senderId ||
    header.recipientId !== meta.recipientId ||
    header.clientMsgId !== meta.clientMsgId
  )
    throw new CryptoError(
      'metadata_mismatch',
      'the envelope names another sender, recipient or message id than the server (replayed?)',
    );
  if (input.signature.length !== SIGNATURE_LENGTH)
    throw new CryptoError('bad_signature', 'signature has the wrong length');
  if (!bytesEqual(header.senderIdentityKey, input.senderIdentityKey)) {
    // Validly signed by a key we have not pinned: the sender's key changed (or someone claims it did).
    if (verifySignature(input.signature, input.envelope, header.senderIdentityKey))
      throw new CryptoError(
        'key_changed',
        `the message is signed by a new identity key of ${header.senderId}`,
      );
    throw new CryptoError('bad_signature', 'signature does not verify');
  }
  if (!verifySignature(input.signature, input.envelope, input.senderIdentityKey))
    throw new CryptoError('bad_signature', 'signature does not verify');

  const role: Role = input.reader.userId === header.recipientId ? ROLE.recipient : ROLE.sender;
  if (role === ROLE.sender && input.reader.userId !== header.senderId)
    throw new CryptoError('not_for_me', 'this message is between other users');
  const wrappedFor = role === ROLE.recipient ? header.recipientIdentityKey : header.senderIdentityKey;
  const mine = input.reader.identities.find((id) => bytesEqual(id.identityKey, wrappedFor));
  if (!mine) throw new CryptoError('not_for_me', 'no key of this account can open this message');
  const wrap = wraps.find((w) => w.role === role) as KeyWrap;

  const contentKey = unwrapContentKey(wrap, mine.secrets.kemSeed, headerBytes);
  let plaintext: Uint8Array;
  try {
    if (!bytesEqual(commitToKey(contentKey), header.keyCommitment))
      throw new CryptoError('decrypt_failed', 'the content key does not match its commitment');
    plaintext = xchacha20poly1305(contentKey, header.nonce, headerBytes).decrypt(ciphertext);
  } catch (err) {
    if (err instanceof CryptoError) throw err;
    throw new CryptoError('decrypt_failed', 'the message does not decrypt');
  } finally {
    contentKey.fill(0);
  }
  return { header, payload: decodePayload(plaintext) };
};
