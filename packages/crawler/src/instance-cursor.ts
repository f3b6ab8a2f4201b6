/** The order in which `DescribeInvocations` lists an instance's records, as observed. */
export type ListingOrder = 'newest-first' | 'oldest-first' | 'unordered' | 'unknown';

/** A record whose state may still change, to be seen again by the next run. */
export interface PendingRecord {
  id: string;
  /** Creation time, epoch ms. */
  t: number;
}

/**
 * What has been archived of one instance, stored in the archive's catalog with the data it covers.
 * Every time is a creation time from the API (server clock), epoch ms.
 */
export interface InstanceCursor {
  v: 1;
  order: ListingOrder;
  /** Everything the API held created from `windowStart` to `windowEnd` is archived. */
  windowStart?: number;
  /** The newest creation time archived: the next run fetches what is newer. */
  windowEnd?: number;
  /** Ids created exactly at `windowEnd` (times have one-second precision, so several may share it). */
  edgeIds: string[];
  /** Records last seen not final. */
  pending: PendingRecord[];
  /** Final records whose result could not be fetched yet (runs with results only). */
  missingResults: PendingRecord[];
  /** `TotalCount` at the end of the last crawl. */
  total: number;
  /** When the instance was found released, if it was (local ISO time). */
  releasedAt?: string;
}

export const cursorKey = (account: string, regionId: string, instanceId: string): string =>
  `${account}/${regionId}/${instanceId}`;

/** A stored cursor, or undefined when it is missing or of another shape (the instance is then walked in full). */
export function parseCursor(value: unknown): InstanceCursor | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const c = value as Partial<InstanceCursor>;
  if (c.v !== 1 || !Array.isArray(c.edgeIds) || !Array.isArray(c.pending) || typeof c.total !== 'number')
    return undefined;
  return { missingResults: [], ...c } as InstanceCursor;
}
