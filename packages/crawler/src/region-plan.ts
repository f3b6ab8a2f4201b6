import type { Instance } from '@swas-archive/client';
import {
  recordLifetimeMs,
  type ScheduledInstance,
  type ScheduleSettings,
  scheduleRegion,
} from './deadline-schedule.js';
import type { StoredCursors } from './instance-cursor.js';
import { cursorKey } from './instance-ref.js';

/** What a run does in one region of one account: the instances to crawl, and those found released. */
export interface RegionPlan {
  /** Instances to crawl, the one whose oldest unarchived record expires first first. */
  queue: ScheduledInstance<Instance>[];
  /** Quiet instances that can wait for a later run (none unless runs say how often they come). */
  deferred: ScheduledInstance<Instance>[];
  /** Ids archived before that no listing of this run shows any more, and not yet recorded as released. */
  released: string[];
  /** How long a record lives in the region now (the retention, or less when the cap rotates faster). */
  lifetimeMs: number;
  /** Whether records live the full retention even at twice the arrivals measured (the cap is far). */
  ageBound: boolean;
}

/** The schedule's settings, with the cap's scope (whose arrivals rotate it). */
export interface PlanSettings extends ScheduleSettings {
  capScope: 'region' | 'account';
}

/**
 * Plans one region from its listing and the stored cursors. `listedIds` holds every id any listing of the
 * run has shown so far; `only` is the run's `instances` option. Without `settings` every instance is due.
 */
export function planRegion(
  account: string,
  regionId: string,
  wanted: readonly Instance[],
  cursors: StoredCursors,
  listedIds: ReadonlySet<string>,
  only: readonly string[] | undefined,
  settings: PlanSettings = {
    now: 0,
    retentionMs: 14 * 86_400_000,
    recordCap: 100_000,
    capScope: 'account',
  },
): RegionPlan {
  const prefix = `${account}/${regionId}/`;
  const released: string[] = [];
  for (const [key, cursor] of cursors) {
    const instanceId = key.slice(prefix.length);
    if (!key.startsWith(prefix) || listedIds.has(instanceId)) continue;
    if (only && !only.includes(instanceId)) continue;
    if (cursor?.releasedAt === undefined) released.push(instanceId);
  }
  const cursorOf = (i: Instance) => cursors.get(cursorKey({ account, regionId, instanceId: i.instanceId }));
  const capPrefix = settings.capScope === 'account' ? `${account}/` : prefix;
  const rate = rateOf(cursors, capPrefix);
  const schedule = scheduleRegion(wanted, cursorOf, rate, settings);
  const ageBound =
    recordLifetimeMs(2 * rate, settings.retentionMs, settings.recordCap) >= settings.retentionMs;
  return {
    ...{ queue: schedule.due, deferred: schedule.deferred, released },
    ...{ lifetimeMs: schedule.lifetimeMs, ageBound },
  };
}

/** New records a minute of the instances under `prefix` that are not released, as their cursors measured. */
export function rateOf(cursors: StoredCursors, prefix: string): number {
  let sum = 0;
  for (const [key, cursor] of cursors)
    if (key.startsWith(prefix) && cursor?.releasedAt === undefined) sum += cursor?.rate ?? 0;
  return sum;
}
