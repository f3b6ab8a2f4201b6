import { CursorEdge } from './cursor-edge.js';
import type { InstanceCursor } from './instance-cursor.js';
import { PageReader, type PageView, type WalkIo } from './page-reader.js';
import { oldestOf } from './record-key.js';

/** How one instance is walked. */
export interface WalkOptions {
  /** The previous run's cursor; absent when the instance was never crawled (or its cursor is unreadable). */
  cursor?: InstanceCursor;
  /** Walk every page and hand every record on again. */
  full: boolean;
  /** Retention of the service, to tell an expired gap from a rotated cap. */
  retentionMs: number;
  /** Most pages read past the archived edge to see again records last seen not final. */
  maxRevisitPages: number;
  /** The crawler's clock, to tell whether a hole can have expired whole. */
  now?: () => number;
  /**
   * Whether the region's records live the full retention (by the arrivals measured, twice over, the cap
   * would not rotate them out within it): a hole younger than that is not looked for on the last page.
   */
  ageBound?: boolean;
  /**
   * The cursor is a first walk's page 1 (see `firstPageCursor`): a listing found not ordered is left to
   * the caller, which walks it in full afresh.
   */
  seeded?: boolean;
}

/**
 * How far a walk got, for the cursor it leaves if it is stopped: `full` (every page from `fullFrom`),
 * `incremental` (from the newest end; `boundary` once it met the archived edge), `back` (an oldest-first
 * walk looking back for the edge), `hole` (reading the hole a stopped walk left, past the edge), `hole-first`
 * (reading that hole before what is new: under a time limit the oldest unarchived records go first).
 */
export type WalkPhase = 'full' | 'incremental' | 'back' | 'hole' | 'hole-first';

/** What reading a hole found: whether it reached below the hole, and its oldest record still held. */
export interface HoleRead {
  joinedBelow: boolean;
  oldestInHole?: number;
}

/** What the walks of one instance share: its pages as read, what its cursor says, and notes for the log. */
export class WalkContext {
  readonly edge: CursorEdge;
  readonly reader: PageReader;
  readonly notes: string[] = [];
  phase: WalkPhase = 'incremental';
  /** Whether the walk has met a record archived before (the edge it joins). */
  boundary = false;
  /**
   * Whether the page where it met the edge was the front of the listing (the oldest records held) and held
   * nothing older than the edge's second: expiry has reached that second.
   */
  edgeAtFront = false;
  /** Whether the outcome reports the edge's second as a gap (see `edgeAtFront`). */
  edgeGap = false;
  /** The same for the hole's bottom (`above`): the hole's read joined below it only at the front. */
  holeAboveAtFront = false;
  /** Records of the hole read so far, and the oldest creation time among them (phase `hole`). */
  holeRead = 0;
  /** The ids of hole records read: a record drift shows on two pages counts once in `holeRead`. */
  readonly holeIds = new Set<string>();
  /** The oldest hole record read, its place in the listing then, and how many records lay below it. */
  holeOldest?: number;
  holeSkip?: number;
  holeLeft?: number;
  /** Whether reading the hole got past stepping back to its top: what it read from there is contiguous. */
  holeTopReached = false;
  /** The hole, once read before what is new (phase `hole-first` done; an oldest-first walk's `hole`). */
  holeDone?: HoleRead;
  /**
   * The oldest and newest records an oldest-first walk read walking back from the edge's old page, and how
   * many records lay before the oldest in the listing then.
   */
  backOldest?: number;
  backOldestAt?: number;
  backNewest?: number;
  /**
   * Reading an oldest-first listing forwards: the newest record of the last page read whose read-back over
   * the drift was done (everything up to it is read; a stop during a read-back leaves the page after out).
   */
  forwardNewest?: number;
  /**
   * The oldest record of the pages read from page 1 down, in order (not those of a hole read first, which
   * lie deeper, past records not read yet): everything from page 1 down to it has been read.
   */
  topOldest?: number;

  constructor(
    io: WalkIo,
    readonly options: WalkOptions,
  ) {
    this.edge = new CursorEdge(options.cursor, options.full);
    this.reader = new PageReader(io, this.edge);
  }

  /** Whether records to revisit remain unseen beyond `page`, among older records. */
  revisitBeyond(page: PageView): boolean {
    const oldest = oldestOf(page.items);
    if (oldest === undefined) return false;
    for (const r of this.edge.revisit.values()) if (!this.reader.seen.has(r.id) && r.t < oldest) return true;
    return false;
  }

  /** Says that the listing turned out unordered, so every page is walked. */
  noteUnordered(): void {
    this.notes.push('the listing is not ordered by creation time: walked every page');
  }

  /** Says that records to revisit lay past `maxRevisitPages`: the next run looks for them again. */
  noteTooDeep(): void {
    this.notes.push('some records last seen running lie too deep to revisit this run');
  }
}
