import { recordLifetimeMs } from './deadline-schedule.js';
import { type InstanceCursor, readCursors, type StoredCursors } from './instance-cursor.js';
import { cursorKey, type InstanceRef } from './instance-ref.js';
import { rateOf } from './region-plan.js';

const MINUTE = 60_000;
const DAY = 86_400_000;

/** What {@link unarchivedRisk} weighs besides the cursors. */
export interface UnarchivedRiskOptions {
  /** The local clock now, epoch ms. */
  now: number;
  retentionMs: number;
  /** Records the service keeps at most, per `capScope`. */
  recordCap: number;
  capScope: 'region' | 'account';
  /** Records expiring within this are "at risk". @default 24 hours */
  horizonMs?: number;
  /** Instances listed but without a cursor: never archived (their records may be as old as a lifetime). */
  listed?: readonly InstanceRef[];
}

/** One instance: how old its oldest record that may not be archived is, and how many expire soon. */
export interface UnarchivedInstance extends InstanceRef {
  /** Age of its oldest record that may not be archived yet, ms (at most the lifetime). */
  oldestAgeMs: number;
  /** Records estimated held and not archived. */
  unarchived: number;
  /** Of those, records estimated to expire (retention or cap rotation) within the horizon. */
  atRisk: number;
  /** How long a record lives in its region: the retention, or less when the cap rotates faster. */
  lifetimeMs: number;
  /** Never archived: no count is known (both counts are 0), the age is the lifetime. */
  neverArchived: boolean;
}

/** The verdict of {@link unarchivedRisk}. */
export interface UnarchivedRisk {
  /** Server clock − local clock as estimated from the cursors (a lower bound, ms). */
  serverOffsetMs: number;
  /** Every instance not released, the oldest unarchived record first. */
  instances: UnarchivedInstance[];
}

/**
 * What the archive has not read yet, from its cursors alone: per instance, the records created since the
 * last walk to the end began (its measured rate × that time) and those a stopped walk left in a hole (the
 * `TotalCount` it saw, spread evenly over the hole's creation times), less what has expired already, and
 * of those the ones that expire within `horizonMs` (created before now + horizon − lifetime). Creation
 * times are the server's: the server's "now" is the local one plus the largest `windowEnd − checkedAt` of
 * any cursor (the newest record a walk saw cannot be newer than the server's time when it began; exact for
 * a busy instance, too early otherwise, which counts records as older: on the safe side).
 */
export function unarchivedRisk(
  stored: Readonly<Record<string, unknown>>,
  o: UnarchivedRiskOptions,
): UnarchivedRisk {
  const cursors = readCursors(stored);
  let offset = Number.NEGATIVE_INFINITY;
  for (const c of cursors.values())
    if (c?.checkedAt !== undefined && c.windowEnd !== undefined)
      offset = Math.max(offset, c.windowEnd - c.checkedAt);
  const serverOffsetMs = Number.isFinite(offset) ? offset : 0;
  const instances: UnarchivedInstance[] = [];
  const seen = new Set<string>();
  for (const [key, cursor] of cursors) {
    const ref = refOfKey(key);
    seen.add(key);
    if (!ref || cursor?.releasedAt !== undefined) continue;
    instances.push(instanceRisk(ref, cursor, lifetimeOf(cursors, ref, o), serverOffsetMs, o));
  }
  for (const ref of o.listed ?? [])
    if (!seen.has(cursorKey(ref)))
      instances.push(instanceRisk(ref, undefined, lifetimeOf(cursors, ref, o), serverOffsetMs, o));
  instances.sort((a, b) => b.oldestAgeMs - a.oldestAgeMs || b.atRisk - a.atRisk);
  return { serverOffsetMs, instances };
}

/** `account/region/instance` back to its parts (the account name may hold a slash; ids do not). */
function refOfKey(key: string): InstanceRef | undefined {
  const parts = key.split('/');
  if (parts.length < 3) return undefined;
  const instanceId = parts.pop() as string;
  const regionId = parts.pop() as string;
  return { account: parts.join('/'), regionId, instanceId };
}

function lifetimeOf(cursors: StoredCursors, ref: InstanceRef, o: UnarchivedRiskOptions): number {
  const prefix = o.capScope === 'account' ? `${ref.account}/` : `${ref.account}/${ref.regionId}/`;
  return recordLifetimeMs(rateOf(cursors, prefix), o.retentionMs, o.recordCap);
}

/** The length of [lo, hi] ∩ [from, to], ≥ 0. */
const overlap = (lo: number, hi: number, from: number, to: number) =>
  Math.max(0, Math.min(hi, to) - Math.max(lo, from));

/** One instance's unarchived records; every time below is on the server's clock. */
export function instanceRisk(
  ref: InstanceRef,
  cursor: InstanceCursor | undefined,
  lifetimeMs: number,
  serverOffsetMs: number,
  o: Pick<UnarchivedRiskOptions, 'now' | 'horizonMs'>,
): UnarchivedInstance {
  const base = { account: ref.account, regionId: ref.regionId, instanceId: ref.instanceId, lifetimeMs };
  if (cursor?.windowEnd === undefined)
    return { ...base, oldestAgeMs: lifetimeMs, unarchived: 0, atRisk: 0, neverArchived: true };
  const now = o.now + serverOffsetMs;
  const expired = now - lifetimeMs;
  const soon = now + (o.horizonMs ?? DAY) - lifetimeMs;
  // Created since the last walk to the end began (or since the newest record archived, if later).
  const since = Math.max(cursor.windowEnd, (cursor.checkedAt ?? cursor.windowEnd) + serverOffsetMs);
  const rate = (cursor.rate ?? 0) / MINUTE;
  let unarchived = rate * overlap(since, now, expired, now);
  let atRisk = rate * overlap(since, now, expired, soon);
  let oldest = Math.max(since, expired);
  const hole = cursor.hole;
  if (hole) {
    // Spread evenly over the hole; one reaching back to the beginning is spread over what is still held.
    const top = hole.above ?? expired;
    const span = hole.below - top;
    const share = (from: number, to: number) =>
      span > 0
        ? (hole.count * overlap(top, hole.below, from, to)) / span
        : hole.below >= from && hole.below <= to
          ? hole.count
          : 0;
    unarchived += share(expired, Number.POSITIVE_INFINITY);
    atRisk += share(expired, soon);
    if (hole.below >= expired) oldest = Math.min(oldest, Math.max(top, expired));
  }
  return {
    ...base,
    oldestAgeMs: Math.max(0, now - oldest),
    unarchived,
    atRisk,
    neverArchived: false,
  };
}
