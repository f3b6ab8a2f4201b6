import type { ListingOrder } from './listing-order.js';

/** A record to see again next run: last seen not final, or final with its result still missing. */
export interface PendingRecord {
  id: string;
  /** Creation time, epoch ms. */
  t: number;
}

/**
 * What has been archived of one instance, stored in the archive's catalog with the data it covers.
 * Every time is a creation time from the API (server clock), epoch ms. The stored format is `v: 1`; any
 * change must still read the cursors of existing archives.
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

/** A cursor with an archived edge: the instance was crawled before and held records then. */
export type EdgedCursor = InstanceCursor & { windowEnd: number };

/** Whether the cursor has an edge to crawl from. */
export const hasEdge = (cursor: InstanceCursor | undefined): cursor is EdgedCursor =>
  cursor?.windowEnd !== undefined;

/**
 * The archive's cursors by key, each parsed once when the run starts. A key whose value has another shape
 * maps to `undefined`: the instance is known, but walked in full as if never crawled.
 */
export type StoredCursors = ReadonlyMap<string, InstanceCursor | undefined>;

/** Parses every stored cursor, once. */
export function readCursors(stored: Readonly<Record<string, unknown>>): StoredCursors {
  return new Map(Object.entries(stored).map(([key, value]) => [key, parseCursor(value)]));
}

/** A stored cursor, or undefined when it is missing or of another shape. */
function parseCursor(value: unknown): InstanceCursor | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const c = value as Partial<InstanceCursor>;
  if (c.v !== 1 || !Array.isArray(c.edgeIds) || !Array.isArray(c.pending) || typeof c.total !== 'number')
    return undefined;
  return { missingResults: [], ...c } as InstanceCursor;
}
