import type { InstanceCursor } from './instance-cursor.js';
import { PAGE_SIZE } from './page-reader.js';

const MINUTE = 60_000;

/** What the schedule of a region needs to know besides its cursors. */
export interface ScheduleSettings {
  /** The run's start, on the crawler's clock. */
  now: number;
  retentionMs: number;
  /** Records the service keeps at most, per `capScope`. */
  recordCap: number;
  /** How often runs come, ms; undefined: every instance is checked every run. */
  runEveryMs?: number;
  /** Longest a run takes, ms. @default `runEveryMs` */
  maxDurationMs?: number;
}

/** One instance as a run schedules it. */
export interface ScheduledInstance<T> {
  item: T;
  /**
   * When its oldest record that may not be archived expires (epoch ms): −∞ for an instance never archived.
   * The run walks instances in this order.
   */
  deadline: number;
  /**
   * More than a page of records waiting by its measured rate: walked one at a time, since walks side by
   * side each drift more (see the README's minimum budget). Unknown rates are not busy.
   */
  busy: boolean;
}

/** A region's run: the instances due, nearest deadline first, and how many can wait for a later run. */
export interface RegionSchedule<T> {
  due: ScheduledInstance<T>[];
  deferred: ScheduledInstance<T>[];
  /** How long a record lives in this region now: the retention, or less when the cap rotates faster. */
  lifetimeMs: number;
}

/**
 * How long a record lives: the retention, or the time the cap takes to rotate it out when records arrive
 * faster than `recordCap` per retention (`ratePerMinute`: the arrivals counted against the same cap).
 */
export function recordLifetimeMs(ratePerMinute: number, retentionMs: number, recordCap: number): number {
  if (!(ratePerMinute > 0)) return retentionMs;
  return Math.min(retentionMs, (recordCap / ratePerMinute) * MINUTE);
}

/**
 * The oldest creation time whose records may not be archived: below a hole a stopped walk left, else
 * since the last walk to the end began, or the edge if newer: a walk stopped past the edge moved the edge
 * and left no hole, but is no walk to the end (without the edge, an instance whose every walk is stopped
 * would keep the deadline of its last finished walk, go first in every run and starve the other busy ones).
 */
export function unarchivedSince(cursor: InstanceCursor | undefined): number {
  if (!cursor || cursor.windowEnd === undefined) return Number.NEGATIVE_INFINITY;
  if (cursor.hole) return cursor.hole.above ?? Number.NEGATIVE_INFINITY;
  return Math.max(cursor.windowEnd, cursor.checkedAt ?? cursor.windowEnd);
}

/**
 * Orders a region's instances by deadline (those the next run may reach too late first, then busy ones,
 * then quiet ones that can wait a run) and leaves out the quiet ones whose oldest unarchived record can
 * wait: one that will still be held when the run after next has reached it (`now` + 2 × `runEveryMs` +
 * `maxDurationMs`: the next run may start late and reaches every due instance within its time limit). Only
 * quiet instances (a page of new records a run at most, by their measured rate) may wait: the records of
 * busy ones pile up, and a late walk costs as many calls and drifts more. Without `runEveryMs` every
 * instance is due.
 * `regionRate` is the rate counted against the same cap (the region's or the account's).
 */
export function scheduleRegion<T>(
  items: readonly T[],
  cursorOf: (item: T) => InstanceCursor | undefined,
  regionRate: number,
  settings: ScheduleSettings,
): RegionSchedule<T> {
  const lifetimeMs = recordLifetimeMs(regionRate, settings.retentionMs, settings.recordCap);
  const every = settings.runEveryMs;
  const horizon =
    every === undefined
      ? Number.POSITIVE_INFINITY
      : settings.now + 2 * every + (settings.maxDurationMs ?? every);
  const due: ScheduledInstance<T>[] = [];
  const deferred: ScheduledInstance<T>[] = [];
  for (const item of items) {
    const cursor = cursorOf(item);
    const since = unarchivedSince(cursor);
    const rate = cursor?.rate;
    const deadline = since + lifetimeMs;
    // Pages waiting now decide the lane; pages a run brings decide whether the instance may wait.
    const busy = rate !== undefined && rate * ((settings.now - since) / MINUTE) > PAGE_SIZE;
    const quiet = rate !== undefined && every !== undefined && rate * (every / MINUTE) <= PAGE_SIZE;
    const scheduled = { item, deadline, busy };
    if (!quiet || deadline <= horizon) due.push(scheduled);
    else deferred.push(scheduled);
  }
  // What the next run may reach too late goes first; then busy instances, whose walk a time limit would cut
  // (the hole it leaves costs calls to find again); then quiet ones that can wait a run (one call later
  // costs what one call now does).
  const mustNow =
    every === undefined ? Number.POSITIVE_INFINITY : settings.now + every + (settings.maxDurationMs ?? every);
  const tier = (s: ScheduledInstance<T>) => (s.deadline <= mustNow ? 0 : s.busy ? 1 : 2);
  due.sort((a, b) => tier(a) - tier(b) || a.deadline - b.deadline);
  deferred.sort((a, b) => a.deadline - b.deadline);
  return { due, deferred, lifetimeMs };
}

/**
 * New records a minute measured by a walk to the end that began at `checkedAt`: those newer than the
 * previous edge over the time since a walk set it (`ratedAt`: a stopped walk moves the edge too); on a first walk, all records held over the time
 * since the oldest. Averaged with the previous estimate, so one quiet or busy spell does not swing it.
 */
export function measuredRate(
  previous: InstanceCursor | undefined,
  checkedAt: number,
  fresh: number,
  oldestSeen: number | undefined,
): number | undefined {
  const since =
    previous?.windowEnd !== undefined
      ? (previous.ratedAt ?? previous.checkedAt ?? previous.windowEnd)
      : oldestSeen;
  if (since === undefined) return previous?.rate;
  const minutes = Math.max(1, (checkedAt - since) / MINUTE);
  const rate = fresh / minutes;
  return previous?.rate === undefined ? rate : (previous.rate + rate) / 2;
}
