/** The soak by time: per phase (before the faults, after each kill) and p99 per slice of the run. */
import { fmt } from '../lib/markdown';
import { percentile } from '../lib/report';
import type { SoakFigures } from './figures';
import type { SoakRecord } from './record';

/** Phases: before the first kill, then each kill until the next (the last until the end). */
export const soakPhases = (rec: SoakRecord, f: SoakFigures, t0: number) => {
  const rel = (ms: number) => `${fmt((ms - t0) / 1000, 1)} s`;
  const { committed, delivered, sorted, latencyOf, commitToDeliver, lateMs } = f;
  const bounds = [0, ...rec.faults.map((x) => x.killAt), Number.POSITIVE_INFINITY];
  return bounds.slice(0, -1).map((from, k) => {
    const to = bounds[k + 1] as number;
    const fault = k > 0 ? rec.faults[k - 1] : undefined;
    const answers = rec.answers.filter((a) => a.at >= from && a.at < to);
    const byStatus = new Map<number, number>();
    for (const a of answers) byStatus.set(a.status, (byStatus.get(a.status) ?? 0) + 1);
    const due = committed.filter(
      (i) => (rec.intended[i] as number) >= from && (rec.intended[i] as number) < to,
    );
    const lat = sorted(due.filter((i) => rec.deliveredAt[i]));
    // Disturbance: late deliveries after the kill, until the next kill.
    const late = delivered.filter(
      (i) =>
        (rec.deliveredAt[i] as number) >= from &&
        (rec.deliveredAt[i] as number) < to &&
        latencyOf(i) > lateMs,
    );
    const lastLate = Math.max(0, ...late.map((i) => rec.deliveredAt[i] as number));
    const events = rec.socketEvents.filter((e) => e.at >= from && e.at < to);
    const reopened = events.filter((e) => e.kind === 'reopened');
    const firstFailure = answers.find((a) => a.status !== 201);
    const okAgain = firstFailure
      ? answers.find((a) => a.at > firstFailure.at && a.status === 201 && a.at >= (fault?.readyAt ?? 0))
      : undefined;
    return {
      name: fault ? `${fault.process} killed at ${rel(fault.killAt)}` : 'before any fault',
      fault,
      from,
      answers: answers.length,
      byStatus,
      due: due.length,
      p50: percentile(lat, 0.5),
      p99: percentile(lat, 0.99),
      max: lat.at(-1) ?? Number.NaN,
      maxAfterCommit: Math.max(...due.filter((i) => rec.deliveredAt[i]).map(commitToDeliver)),
      late: late.length,
      recoveredMs: fault ? (late.length ? lastLate - fault.killAt : 0) : undefined,
      socketsDropped: events.filter((e) => e.kind === 'dropped').length,
      socketsBackMs:
        fault && reopened.length ? Math.max(...reopened.map((e) => e.at)) - fault.killAt : undefined,
      sendsOkAgainMs: fault && okAgain ? okAgain.at - fault.killAt : undefined,
    };
  });
};

export type SoakPhase = ReturnType<typeof soakPhases>[number];

/** Latency over time: the p99 of the messages due in each slice of about a twelfth of the run. */
export const soakTimeline = (rec: SoakRecord, f: SoakFigures, t0: number, durationS: number) => {
  const bucketMs = Math.max(1, Math.round(durationS / 12)) * 1000;
  const buckets = Math.ceil((durationS * 1000) / bucketMs);
  return Array.from({ length: buckets }, (_, b) => {
    const lat = f.sorted(
      f.delivered.filter((i) => Math.floor(((rec.intended[i] as number) - t0) / bucketMs) === b),
    );
    const errors = rec.answers.filter(
      (a) => a.status !== 201 && Math.floor((a.at - t0) / bucketMs) === b,
    ).length;
    const from = (b * bucketMs) / 1000;
    const marks = rec.faults
      .filter((x) => Math.floor((x.killAt - t0) / bucketMs) === b)
      .map((x) => ` ← ${x.process} killed`)
      .join('');
    return {
      label: `${fmt(from, 0).padStart(3)}–${fmt(Math.min(durationS, from + bucketMs / 1000), 0)} s`,
      value: percentile(lat, 0.99) || 0,
      note: `${fmt(percentile(lat, 0.99))} ms p99, ${errors} failed attempts${marks}`,
    };
  });
};
