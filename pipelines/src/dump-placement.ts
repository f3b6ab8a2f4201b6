import type { Placement } from './dump-pages.js';

/** What a region id looks like: `cn-hangzhou`, `ap-southeast-1`, `us-west-1`. */
const REGION_ID = /^[a-z]{2,}(-[a-z0-9]+){1,3}$/;

/** The service's retention unless told otherwise: two weeks (swas-api.md). */
export const DEFAULT_RETENTION_MS = 14 * 86_400_000;

/**
 * The region and instance `pattern`'s named groups take from a file's path, or why they cannot be used: a
 * region that is no region id (such as a pattern that matched the first folders of an absolute path).
 */
export function pathPlacement(path: string, pattern: RegExp | undefined): Placement | { error: string } {
  const groups = pattern?.exec(path)?.groups;
  if (!groups) return {};
  if (groups.region !== undefined && !REGION_ID.test(groups.region))
    return {
      error: `--path-pattern took the region "${groups.region}" from ${path}, which is no region id (such as cn-hangzhou): anchor the pattern at the file name, e.g. '/(?<region>[^/]+)/(?<instance>[^/]+)/[^/]+$'`,
    };
  return {
    ...(groups.region ? { regionId: groups.region } : {}),
    ...(groups.instance ? { instanceId: groups.instance } : {}),
  };
}

/** When a page was read, and how that was found. */
export interface PageTime {
  observedAt: Date;
  /** `flag`: --observed-at; `page`: its `ObservedAt`; `file`: the file's modification time. */
  source: 'flag' | 'page' | 'file';
  /** A file time moved into the span the page can have been read in. */
  moved: boolean;
}

/**
 * When a page of invocations created at `created` was read: the flag's time, else the page's own, else the
 * file's modification time bounded by what the API allows: not before the newest creation time, nor later
 * than the oldest one plus the retention (the API lists nothing older). A file's time is the weakest
 * evidence: copied or touched files carry a later one, which would date old states after newer ones.
 */
export function pageTime(
  created: readonly Date[],
  given: { flag?: Date; page?: Date; file: Date; retentionMs?: number },
): PageTime {
  if (given.flag) return { observedAt: given.flag, source: 'flag', moved: false };
  if (given.page) return { observedAt: given.page, source: 'page', moved: false };
  if (created.length === 0) return { observedAt: given.file, source: 'file', moved: false };
  const times = created.map((d) => d.getTime());
  const earliest = Math.max(...times);
  const latest = Math.max(earliest, Math.min(...times) + (given.retentionMs ?? DEFAULT_RETENTION_MS));
  const t = Math.min(Math.max(given.file.getTime(), earliest), latest);
  return { observedAt: new Date(t), source: 'file', moved: t !== given.file.getTime() };
}
