/** The soak's totals and latencies, from the record and the recipients' cursor streams. */
import { fmt } from '../lib/markdown';
import type { CursorStream } from '../lib/recipient-socket';
import { percentile } from '../lib/report';
import type { SoakRecord } from './record';

/** A message is "late" when its send→deliver time is over this, or 3× the p99 before any fault. */
export const LATE_FLOOR_MS = 250;

/** p50 / p99 / max of some ms figures, as the report writes them. */
const spread = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return `${fmt(percentile(s, 0.5))} / ${fmt(percentile(s, 0.99))} / ${fmt(s.at(-1) ?? Number.NaN)} ms`;
};

export const soakFigures = (rec: SoakRecord, streams: CursorStream[]) => {
  const committed = rec.committed();
  const deliveredUnique = committed.filter((i) => rec.deliveredAt[i]).length;
  const latencyOf = (i: number) => (rec.deliveredAt[i] as number) - (rec.intended[i] as number);
  const delivered = committed.filter((i) => rec.deliveredAt[i]);
  const sorted = (idx: number[]) => idx.map(latencyOf).sort((a, b) => a - b);
  // Where the time went: due → the 201 (retries included), and the 201 → the frame (negative: the frame came first).
  const toCommit = (i: number) => (rec.committedAt[i] as number) - (rec.intended[i] as number);
  const commitToDeliver = (i: number) => (rec.deliveredAt[i] as number) - (rec.committedAt[i] as number);
  const firstKill = rec.faults[0]?.killAt ?? Number.POSITIVE_INFINITY;
  const steady = sorted(delivered.filter((i) => (rec.deliveredAt[i] as number) < firstKill));
  const attempts = rec.answers.length;
  return {
    committed,
    deliveredUnique,
    lost: committed.length - deliveredUnique,
    duplicates: streams.reduce((n, s) => n + s.duplicates, 0),
    orderViolations: streams.reduce((n, s) => n + s.outOfOrder, 0),
    gaps: streams.reduce((n, s) => n + s.gaps, 0),
    attempts,
    retries: attempts - rec.total,
    delivered,
    latencyOf,
    commitToDeliver,
    sorted,
    all: sorted(delivered),
    steady,
    dueTo201: spread(delivered.map(toCommit)),
    commitToDelivered: spread(delivered.map(commitToDeliver)),
    lateMs: Math.max(LATE_FLOOR_MS, 3 * (percentile(steady, 0.99) || 0)),
  };
};

export type SoakFigures = ReturnType<typeof soakFigures>;

/** The soak passes when nothing was lost, duplicated, out of order, misrouted or given up on. */
export const isClean = (rec: SoakRecord, f: SoakFigures, serverOk: boolean) =>
  f.lost === 0 &&
  f.duplicates === 0 &&
  f.orderViolations === 0 &&
  rec.deliveredTwice === 0 &&
  rec.misrouted === 0 &&
  rec.gaveUp.size === 0 &&
  serverOk;
