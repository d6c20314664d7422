/**
 * Cursor order, the one thing realtime must know about cursors that clients
 * treat as opaque. A viewer's cursors are decimal positions in its own
 * stream, dense (each message the viewer sends or receives takes the next
 * one), so "the next one" tells a live message that can go straight out from
 * one that arrived ahead of an earlier one still in flight (a gap: fetch
 * history first). Anything else compares as text and is never "next", which
 * stays correct (every live message then goes through a history fetch).
 */
const DECIMAL = /^\d{1,20}$/;

export const compareCursors = (a: string, b: string): number => {
  if (DECIMAL.test(a) && DECIMAL.test(b)) {
    const x = BigInt(a);
    const y = BigInt(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
};

/** True when `next` directly follows `last` in the viewer's stream (`last` null: the stream's start). */
export const isNextCursor = (last: string | null, next: string): boolean => {
  if (!DECIMAL.test(next)) return false;
  if (last === null) return BigInt(next) === 1n;
  return DECIMAL.test(last) && BigInt(next) === BigInt(last) + 1n;
};
