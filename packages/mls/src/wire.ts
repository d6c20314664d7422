/**
 * Bytes in from the network become ts-mls messages only here: a decode that fails, stops short of
 * the end, or yields another wire format or protocol version is refused before any state sees it.
 */
import { decodeMlsMessage, encodeMlsMessage, type MLSMessage } from 'ts-mls';
import { refuse } from './errors';

type WireFormat = MLSMessage['wireformat'];
export type MlsMessageOf<W extends WireFormat> = Extract<MLSMessage, { wireformat: W }>;

/** Bounds what a hostile peer can make a client parse (a KeyPackage or Welcome is a few KB). */
export const MAX_MLS_MESSAGE_BYTES = 1 << 20;

export const decodeWire = <W extends WireFormat>(bytes: Uint8Array, expected: W): MlsMessageOf<W> => {
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) return refuse('malformed', 'empty MLS message');
  if (bytes.length > MAX_MLS_MESSAGE_BYTES) return refuse('malformed', 'MLS message too large');
  let decoded: [MLSMessage, number] | undefined;
  try {
    decoded = decodeMlsMessage(bytes, 0);
  } catch (e) {
    return refuse('malformed', 'MLS message does not decode', e);
  }
  if (decoded === undefined) return refuse('malformed', 'MLS message does not decode');
  const [message, end] = decoded;
  if (end !== bytes.length) return refuse('malformed', 'trailing bytes after the MLS message');
  if (message.version !== 'mls10') return refuse('malformed', 'not MLS 1.0');
  if (message.wireformat !== expected)
    return refuse('wrong-wire-format', `expected ${expected}, got ${message.wireformat}`);
  return message as MlsMessageOf<W>;
};

export const encodeWire = (message: MLSMessage): Uint8Array => encodeMlsMessage(message);

/** What a message's cleartext framing claims, read before any state sees it. */
export interface MlsHeader {
  wireFormat: WireFormat;
  /** For public and private messages only. */
  groupId?: Uint8Array;
  epoch?: bigint;
  contentType?: 'application' | 'proposal' | 'commit';
}

/**
 * The cleartext header (wire format; group id, epoch and content type of a framed message), so a
 * delivery label ('application' / 'commit' / 'welcome') can be checked against the bytes before
 * anything is decrypted or consumed. Throws MlsRefusedError('malformed') on bytes that do not decode.
 */
export const peekHeader = (bytes: Uint8Array): MlsHeader => {
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) return refuse('malformed', 'empty MLS message');
  if (bytes.length > MAX_MLS_MESSAGE_BYTES) return refuse('malformed', 'MLS message too large');
  let decoded: [MLSMessage, number] | undefined;
  try {
    decoded = decodeMlsMessage(bytes, 0);
  } catch (e) {
    return refuse('malformed', 'MLS message does not decode', e);
  }
  if (decoded === undefined || decoded[1] !== bytes.length || decoded[0].version !== 'mls10')
    return refuse('malformed', 'not one whole MLS 1.0 message');
  const m = decoded[0];
  if (m.wireformat === 'mls_private_message') {
    const p = m.privateMessage;
    return { wireFormat: m.wireformat, groupId: p.groupId, epoch: p.epoch, contentType: p.contentType };
  }
  if (m.wireformat === 'mls_public_message') {
    const c = m.publicMessage.content;
    return { wireFormat: m.wireformat, groupId: c.groupId, epoch: c.epoch, contentType: c.contentType };
  }
  return { wireFormat: m.wireformat };
};
