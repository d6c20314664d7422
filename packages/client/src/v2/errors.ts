/** Why v2 refused something the server handed it; messages name the problem, never key material. */
export type V2Refusal =
  | 'malformed-list'
  | 'bad-list-signature'
  | 'wrong-list-owner'
  | 'list-rollback'
  | 'list-equivocation'
  | 'no-pinned-key'
  | 'not-listed'
  | 'no-device'
  | 'wrong-conversation'
  | 'no-key-packages';

export class V2RefusedError extends Error {
  override readonly name = 'V2RefusedError';
  constructor(
    readonly reason: V2Refusal,
    message: string,
  ) {
    super(`${reason}: ${message}`);
  }
}

export const refuseV2 = (reason: V2Refusal, message: string): never => {
  throw new V2RefusedError(reason, message);
};
