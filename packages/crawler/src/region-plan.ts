import type { Instance } from '@swas-archive/client';
import type { StoredCursors } from './instance-cursor.js';
import { cursorKey } from './instance-ref.js';

/** What a run does in one region of one account: the instances to crawl, and those found released. */
export interface RegionPlan {
  /** Instances to crawl, those whose oldest unarchived record is nearest to expiry first. */
  queue: Instance[];
  /** Ids archived before that no listing of this run shows any more, and not yet recorded as released. */
  released: string[];
}

/**
 * Plans one region from its listing and the stored cursors. `listedIds` holds every id any listing of the
 * run has shown so far; `only` is the run's `instances` option.
 */
export function planRegion(
  account: string,
  regionId: string,
  wanted: readonly Instance[],
  cursors: StoredCursors,
  listedIds: ReadonlySet<string>,
  only: readonly string[] | undefined,
): RegionPlan {
  const prefix = `${account}/${regionId}/`;
  const released: string[] = [];
  for (const [key, cursor] of cursors) {
    const instanceId = key.slice(prefix.length);
    if (!key.startsWith(prefix) || listedIds.has(instanceId)) continue;
    if (only && !only.includes(instanceId)) continue;
    if (cursor?.releasedAt === undefined) released.push(instanceId);
  }
  // Never archived first, then the oldest edge: their oldest unarchived records expire soonest.
  const edge = (i: Instance) =>
    cursors.get(cursorKey({ account, regionId, instanceId: i.instanceId }))?.windowEnd ??
    Number.NEGATIVE_INFINITY;
  const queue = [...wanted].sort((a, b) => edge(a) - edge(b));
  return { queue, released };
}
