import type { HeldSpan } from './held-spans.js';
import type { ListingOrder } from './listing-order.js';

/** A record to see again next run: last seen not final, or final with its result still missing. */
export interface PendingRecord {
  id: string;
  /** Creation time, epoch ms. */
  t: number;
}

/**
 * Records a walk was stopped before reading (Ctrl-C, SIGTERM, a time limit): those created after `above`
 * (exclusive; from the beginning when unset) and before `below` (and at `below` unless in `belowIds`). A
 * newest-first walk leaves one when it read down from the newest end and stopped at `below`; an
 * oldest-first one when it read back from the edge's old page and stopped at `below`.
 */
export interface CursorHole {
  above?: number;
  /**
   * Ids created at `above` that were archived (the old edge's): another record of that second is in the
   * hole. Absent in holes of older versions: nothing of that second is.
   */
  aboveIds?: string[];
  below: number;
  belowIds: string[];
  /**
   * Newest-first: records the stopped walk read above the hole (where it starts in the listing, new records
   * aside). Oldest-first: records before the hole's top in the listing then (expiry moves it forwards only).
   */
  skip: number;
  /**
   * Records the hole held when the walk stopped (from `TotalCount`): fewer read later means some expired.
   * Newest-first only (0 for oldest-first, whose read-back to the old edge tells what expired).
   */
  count: number;
}

/**
 * What has been archived of one instance, stored in the archive's catalog with the data it covers.
 * Every time is a creation time from the API (server clock), epoch ms. The stored format is `v: 1`, or
 * `v: 2` when it has a {@link CursorHole} (an older version of this tool reads a `v: 2` cursor as unknown
 * and walks the instance in full, which loses nothing); any change must still read existing cursors.
 */
export interface InstanceCursor {
  v: 1 | 2;
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
  /** Records a stopped walk left unread below the newest ones; the next run reads them first. */
  hole?: CursorHole;
  /**
   * Spans archived whole newer than where the unread part begins (the hole's top, or the edge), which the
   * hole and the edge do not say: what stopped walks read above a hole they did not finish. A gap found
   * later over them is split around them (see `splitGap`). Absent in cursors of older versions.
   */
  held?: HeldSpan[];
  /**
   * When the last walk that read the instance to its end began (the crawler's clock, epoch ms): records
   * created since then may not be archived. Absent in cursors of older versions (`windowEnd` stands in).
   */
  checkedAt?: number;
  /**
   * What that walk proved on the service's clock: every record created before this time was listed to it,
   * so archived. It is the newest creation time the crawler had seen of the account when the walk began (a
   * record seen then was created by then, whatever the crawler's own clock says). Absent in older cursors.
   */
  coveredTo?: number;
  /**
   * When a walk last moved the edge (the crawler's clock, epoch ms): a stopped walk moves it too, without
   * `checkedAt`. The next walk measures the rate of what is newer than the edge over the time since.
   */
  ratedAt?: number;
  /** New records a minute, as the walks measured them: deadlines, the cap's rotation, `plan`. */
  rate?: number;
}

/**
 * How far the crawler's clock may be from the service's: the API refuses a request signed further off
 * (`InvalidTimeStamp.Expired`, see swas-api.md), so a run that got answers was at most this far off.
 */
export const MAX_CLOCK_SKEW_MS = 15 * 60_000;

/**
 * The creation time up to which every record is archived (the service's clock): the edge, or what the last
 * walk to the end proved when that is later (`coveredTo`). A hole a stopped walk left is not covered: its
 * top is where the unread part begins.
 */
export function provenUntil(cursor: EdgedCursor): number {
  if (cursor.hole) return cursor.hole.above ?? Number.NEGATIVE_INFINITY;
  return Math.max(cursor.windowEnd, cursor.coveredTo ?? Number.NEGATIVE_INFINITY);
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
  if (
    (c.v !== 1 && c.v !== 2) ||
    !Array.isArray(c.edgeIds) ||
    !Array.isArray(c.pending) ||
    typeof c.total !== 'number'
  )
    return undefined;
  if (c.v === 2 && (typeof c.hole?.below !== 'number' || !Array.isArray(c.hole.belowIds))) return undefined;
  // Coverage is claimed from `coveredTo`: a value that is not a time claims nothing.
  const { coveredTo, ...rest } = c;
  return {
    missingResults: [],
    ...rest,
    ...(typeof coveredTo === 'number' && Number.isFinite(coveredTo) ? { coveredTo } : {}),
  } as InstanceCursor;
}
