import type { CoverageRecord } from '@swas-archive/archive';
import type { InstanceCursor } from './instance-cursor.js';

/**
 * A span of creation times archived whole, epoch ms: every record listed strictly between `[0]` and `[1]`
 * when a walk read the page(s) it comes from was on them, and reached the archive. A page of a listing by
 * creation time shows every record between its oldest and its newest; a record created later is newer than
 * the page's newest (or of its second, which a span never claims).
 */
export type HeldSpan = [from: number, to: number];

/** At most this many spans in a cursor: dropping one only widens the gaps it would have narrowed. */
const MAX_SPANS = 64;

/** Spans sorted by start, overlapping ones merged. */
export function mergeSpans(spans: Iterable<HeldSpan>): HeldSpan[] {
  const sorted = [...spans].sort((a, b) => a[0] - b[0]);
  const merged: HeldSpan[] = [];
  for (const [from, to] of sorted) {
    const last = merged[merged.length - 1];
    // Spans that only meet at a second do not claim it: records of that second may lie between them.
    if (last && from < last[1]) last[1] = Math.max(last[1], to);
    else merged.push([from, to]);
  }
  return merged;
}

/** The span (of `spans`, merged) that holds creation time `t`, if one does. */
export function spanHolding(spans: Iterable<HeldSpan>, t: number): HeldSpan | undefined {
  return mergeSpans(spans).find(([from, to]) => from <= t && t <= to);
}

/**
 * The spans a cursor keeps: those archived newer than where its unread part begins (a hole's top, or the
 * edge), which the hole and the edge do not express. The newest are kept when there are too many.
 */
export function spansToKeep(cursor: InstanceCursor, spans: Iterable<HeldSpan>): HeldSpan[] | undefined {
  const floor = cursor.hole ? (cursor.hole.above ?? Number.NEGATIVE_INFINITY) : cursor.windowEnd;
  if (floor === undefined) return undefined;
  const kept = mergeSpans(spans).filter(([, to]) => to > floor);
  return kept.length > 0 ? kept.slice(-MAX_SPANS) : undefined;
}

/** The cursor with the spans it keeps (see {@link spansToKeep}), none when it keeps none. */
export function withSpans(cursor: InstanceCursor, spans: readonly HeldSpan[]): InstanceCursor {
  const { held: _, ...rest } = cursor;
  const held = spansToKeep(cursor, spans);
  return held ? { ...rest, held } : rest;
}

/**
 * A coverage record whose gap holds spans archived whole, split into one record per part of the gap they
 * leave: the first keeps the window, the others carry only their part of the gap. Records lost lie in the
 * parts; those at a span's ends (of their second) too.
 */
export function splitGap(coverage: CoverageRecord, spans: readonly HeldSpan[]): CoverageRecord[] {
  const { gapStart, gapEnd } = coverage;
  if (!coverage.gapReason || !gapEnd || spans.length === 0) return [coverage];
  const parts: [number, number][] = [];
  let from = gapStart?.getTime() ?? Number.NEGATIVE_INFINITY;
  const end = gapEnd.getTime();
  for (const [s, e] of mergeSpans(spans)) {
    if (e < from || s > end) continue;
    // A part may be one second wide: records of a span's end seconds are not claimed.
    if (s >= from) parts.push([from, s]);
    from = Math.max(from, e);
  }
  if (from <= end) parts.push([from, end]);
  // Every second of the gap lies strictly inside spans: it keeps only the second it ends at.
  if (parts.length === 0) parts.push([end, end]);
  // A span of one second at the gap's end leaves that second twice: once is enough.
  const distinct = parts.filter(([s, e], i) => {
    const before = parts[i - 1];
    return !before || s < before[0] || e > before[1];
  });
  return distinct.map(([s, e], i) => {
    const part = { ...coverage, gapStart: Number.isFinite(s) ? new Date(s) : undefined, gapEnd: new Date(e) };
    if (i === 0) return part;
    return { ...part, complete: false, windowStart: undefined, windowEnd: undefined, joinedPrevious: false };
  });
}
