import type { CoverageRecord } from '@swas-archive/archive';
import type { InstanceCursor } from './instance-cursor.js';
import type { GapReason, InstanceOutcome } from './instance-outcome.js';
import { type InstanceRef, refOf } from './instance-ref.js';

const date = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms));

/** An instance walked to the end: the window it proved, and the gap before it if there is one. */
export function completeCoverage(
  where: InstanceRef,
  observedAt: Date,
  outcome: InstanceOutcome,
  previous: InstanceCursor | undefined,
): CoverageRecord {
  return {
    ...refOf(where),
    observedAt,
    complete: true,
    windowStart: date(outcome.windowStart),
    windowEnd: date(outcome.windowEnd),
    joinedPrevious: outcome.joinedPrevious,
    gapStart: date(outcome.gap?.start),
    // A gap whose end no record held marks reaches up to now.
    gapEnd: outcome.gap ? new Date(outcome.gap.end ?? observedAt.getTime()) : undefined,
    gapReason: outcome.gap?.reason,
    detail:
      outcome.gap?.detail ??
      (previous
        ? `${outcome.pages} page(s), ${outcome.records} record(s) read`
        : 'first run: the archive of this instance begins here'),
  };
}

/**
 * An instance whose walk the run stopped: not complete, with the window it did read; no gap for what it did
 * not read (still held: the next run reads it first), only for a hole it read that had lost records.
 */
export function stoppedCoverage(
  where: InstanceRef,
  observedAt: Date,
  partial: InstanceOutcome | undefined,
): CoverageRecord {
  const hole = partial?.cursor.hole;
  return {
    ...refOf(where),
    observedAt,
    complete: false,
    windowStart: date(partial?.windowStart),
    windowEnd: date(partial?.windowEnd),
    joinedPrevious: partial?.joinedPrevious ?? false,
    // A hole read to the end of the listing before the stop: what it lost is a gap, as in a complete walk.
    gapStart: date(partial?.gap?.start),
    gapEnd: partial?.gap ? new Date(partial.gap.end ?? observedAt.getTime()) : undefined,
    gapReason: partial?.gap?.reason,
    detail: partial?.gap
      ? partial.gap.detail
      : !partial
        ? 'the run was stopped before this instance proved anything new: the next run walks it again'
        : hole
          ? `the run was stopped: records created before ${new Date(hole.below).toISOString()} are still to read; the next run reads them first`
          : 'the run was stopped: the next run goes on from the newest record read',
  };
}

/**
 * An instance that could not be crawled: a gap from its last archived record (or the top of the hole a
 * stopped walk left) to the oldest record this walk handed on, or to now when it handed on none.
 */
export function failedCoverage(
  where: InstanceRef,
  observedAt: Date,
  previous: InstanceCursor | undefined,
  reason: string,
  oldestHandedOn: number | undefined,
): CoverageRecord {
  const coverage = openGap(where, observedAt, previous, 'instance-failed', reason);
  if (previous?.hole) coverage.gapStart = date(previous.hole.above);
  coverage.gapEnd = new Date(oldestHandedOn ?? observedAt.getTime());
  return coverage;
}

/** An instance that disappeared: a gap after its last archived record, if it had one. */
export function releasedCoverage(
  where: InstanceRef,
  observedAt: Date,
  previous: InstanceCursor | undefined,
): CoverageRecord {
  const coverage = openGap(where, observedAt, previous, 'released', releasedDetail(previous));
  // Nothing created after the release can be missing: the window ends there.
  coverage.gapEnd = observedAt;
  if (previous?.hole) coverage.gapStart = date(previous.hole.above);
  return coverage;
}

function releasedDetail(previous: InstanceCursor | undefined): string {
  return previous?.windowEnd === undefined
    ? 'instance released before any of its records could be archived'
    : 'instance released: records created after its last archived one (if any) can no longer be read';
}

/** No window proved this run: a gap open from the last archived record (or from the beginning). */
function openGap(
  where: InstanceRef,
  observedAt: Date,
  previous: InstanceCursor | undefined,
  gapReason: GapReason,
  detail: string,
): CoverageRecord {
  return {
    ...refOf(where),
    observedAt,
    complete: false,
    joinedPrevious: false,
    gapStart: date(previous?.windowEnd),
    gapReason,
    detail,
  };
}
