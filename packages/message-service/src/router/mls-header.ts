/**
 * The one MLS read the Delivery Service makes (docs/SECURITY.md 10.14): the cleartext header of
 * what a client labels application or commit, so a label cannot advance a conversation's epoch
 * for bytes that are no commit of that conversation at that epoch. Nothing is decrypted; only
 * ts-mls's decoders run (the `wire` entry of @lockbox/mls loads no group or crypto code).
 */
import type { TSendMlsRequest } from '@lockbox/contracts';
import { type MlsHeader, peekHeader } from '@lockbox/mls/wire';
import { AppError } from '@lockbox/service-kit';

const bad = (why: string): never => {
  throw new AppError('invalid_input', why);
};

const headerOf = (base64: string, field: string): MlsHeader => {
  try {
    return peekHeader(Buffer.from(base64, 'base64'));
  } catch {
    return bad(`${field} is not one whole MLS 1.0 message`);
  }
};

/** Checks everything the request alone decides; returns the conversation id the message claims. */
export const checkMlsHeaders = (input: TSendMlsRequest): string => {
  const h = headerOf(input.message, 'message');
  if (h.wireFormat !== 'mls_private_message' && h.wireFormat !== 'mls_public_message')
    bad(`message is an MLS ${h.wireFormat}, not a framed group message`);
  if (h.epoch !== BigInt(input.epoch))
    bad(`message is from epoch ${h.epoch}, the request says epoch ${input.epoch}`);
  if (h.contentType !== input.kind)
    bad(`message's content type is ${h.contentType}, the request says kind=${input.kind}`);
  if (input.welcome !== undefined && headerOf(input.welcome, 'welcome').wireFormat !== 'mls_welcome')
    bad('welcome is not an MLS Welcome');
  const groupId = h.groupId ?? new Uint8Array();
  let claimed: string;
  try {
    claimed = new TextDecoder('utf-8', { fatal: true }).decode(groupId);
  } catch {
    return bad("message's group id is not a conversation id");
  }
  return claimed;
};

export const wrongGroup = (): never =>
  bad("message's group id is not this conversation's id (an MLS group is named by its conversation id)");
