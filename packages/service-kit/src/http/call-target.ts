/** Which procedure a request calls, as both wire forms (tRPC and REST) decode it. */
import type { AnyTRPCProcedure } from '@trpc/server';

export type Procedures = Record<string, AnyTRPCProcedure>;

export interface CallTarget {
  /** The metrics label: `trpc:<path>` or the procedure's name. */
  route: string;
  /** The procedure's dotted path. */
  path: string;
  procedure: AnyTRPCProcedure;
  /** Status of a successful answer. */
  successStatus: number;
  /** A REST path's parameters (./rest-decode.ts); none on a tRPC path. */
  params?: Record<string, string>;
  /** Set only on a target the decoder refused (see TrpcTarget). */
  refusal?: undefined;
}
