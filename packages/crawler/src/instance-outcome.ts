import { edgeIdsAt, stillToSee } from './cursor-carry.js';
import { spanHolding } from './held-spans.js';
import { holeOutcome } from './hole-walk.js';
import {
  type CursorHole,
  type EdgedCursor,
  hasEdge,
  type InstanceCursor,
  provenUntil,
} from './instance-cursor.js';
import { forwardPartial, oldestFirstPartial } from './oldest-first-hole.js';
import { newestOf, oldestOf } from './record-key.js';
import type { WalkContext } from './walk-context.js';

/** Why records may be missing between two windows of coverage. */
export type GapReason =
  | 'expired-unseen'
  | 'cap-rotated'
  | 'expired-during-crawl'
  | 'instance-failed'
  | 'released';

/** A window of creation times (epoch ms) that may have held records this archive lacks, and why. */
export interface InstanceGap {
  start?: number;
  end?: number;
  reason: GapReason;
  detail: string;
}

/** What one walk of one instance proved. */
export interface InstanceOutcome {
  /** The cursor to store: it also carries the ids whose result is still missing. */
  cursor: InstanceCursor;
  /** The window this walk proved complete (creation times, epoch ms), if the instance held anything. */
  windowStart?: number;
  windowEnd?: number;
  /** Whether the window joins the previous run's without a gap. */
  joinedPrevious: boolean;
  gap?: InstanceGap;
  /** Pages read, re-reads included. */
  pages: number;
  /** Distinct records seen. */
  records: number;
  /** Whether the whole list was walked (first run, `full`, or an unordered listing). */
  fullWalk: boolean;
  notes: string[];
}

/**
 * The outcome of a walk: `joined` says whether it reached the previous run's edge, `windowStart` where the
 * window it proved begins. The cursor keeps the start of continuous coverage while each run joins the last.
 */
export function outcomeOf(w: WalkContext, joined: boolean, windowStart: number | undefined): InstanceOutcome {
  const c = w.options.cursor;
  const seen = w.reader.seen;
  const oldest = oldestOf(seen.values());
  const newest = coveredNewest(w);
  const end =
    newest === undefined || (c?.windowEnd !== undefined && c.windowEnd > newest) ? c?.windowEnd : newest;
  const firstRun = !c || c.windowEnd === undefined;
  const { pending, missingResults } = stillToSee(w, oldest);
  return {
    cursor: {
      v: 1,
      order: w.reader.order,
      windowStart: firstRun || !joined ? (windowStart ?? oldest) : (c.windowStart ?? windowStart),
      windowEnd: end,
      edgeIds: edgeIdsAt(seen.values(), end, c),
      pending,
      missingResults,
      total: w.reader.lastTotal ?? 0,
    },
    windowStart: firstRun || w.options.full ? oldest : windowStart,
    windowEnd: end,
    joinedPrevious: !firstRun && joined,
    pages: w.reader.pages,
    records: seen.size,
    fullWalk: firstRun || w.options.full || w.reader.order === 'unordered',
    notes: w.notes,
  };
}

/**
 * The newest creation time below which the walk read everything (down to its oldest record). In a
 * newest-first listing, what page 1 held when first read: records arriving during the walk push every
 * record down, so a page read later may show some of them but not those pushed past it (a walk that reads
 * page 1, then a hole, then page 2 sees page 2 full of records newer than page 1's). They are archived,
 * and the next run reads them again as new.
 */
function coveredNewest(w: WalkContext): number | undefined {
  const newest = newestOf(w.reader.seen.values());
  const first = w.reader.first?.newest;
  if (w.reader.order === 'oldest-first' || newest === undefined || first === undefined) return newest;
  return Math.min(newest, first);
}

/**
 * How far down the walk read without a break from its newest record: `oldest`, unless a page read out of
 * turn (the last, looking for a hole) holds older records than the pages read in turn reached. Records
 * between the two may have expired before their page was read; they lie in the gap, not the window.
 */
function readDownTo(w: WalkContext, oldest: number | undefined): number | undefined {
  const newest = coveredNewest(w);
  // Newest-first, the window trusts the order of one second's records between two calls, as its walk does.
  const spans = w.reader.order === 'newest-first' ? w.reader.windowSpans : w.reader.spans;
  const span = newest === undefined ? undefined : spanHolding(spans, newest);
  return oldest === undefined || span === undefined ? oldest : Math.max(oldest, span[0]);
}

/**
 * The outcome of an incremental walk. Without the `boundary` (no record archived last time is held any
 * more), what lay between the old edge and the oldest record held is a gap.
 */
export function incrementalOutcome(w: WalkContext, c: EdgedCursor, boundary: boolean): InstanceOutcome {
  const seen = w.reader.seen;
  let oldestNew: number | undefined;
  for (const s of seen.values())
    if (!w.edge.archived(s) && (oldestNew === undefined || s.t < oldestNew)) oldestNew = s.t;
  if (!boundary) oldestNew = readDownTo(w, oldestNew);
  const outcome = outcomeOf(w, boundary, boundary ? c.windowEnd : oldestNew);
  if (boundary && w.edgeAtFront && c.windowStart !== undefined && c.windowStart < c.windowEnd) {
    // Expiry has reached the edge's second: a record of that second created after the last run read the
    // edge (listed in any order among its records) may have expired unread. Once reported, the window
    // starts at that second, so the next run does not report it again.
    outcome.gap = {
      start: c.windowEnd,
      end: c.windowEnd,
      reason: 'expired-unseen',
      detail: `the oldest records held are of the second of the last one archived (${new Date(c.windowEnd).toISOString()}): one of that second created after the previous run read it may have expired unread`,
    };
    outcome.joinedPrevious = false;
    outcome.windowStart = c.windowEnd;
    outcome.cursor.windowStart = c.windowEnd;
    w.edgeGap = true;
  }
  if (!boundary) {
    // Age expiry leaves the oldest record held at the retention horizon; the record cap evicts younger
    // ones. The newest record tells the server's time better than the local clock does. An edge older
    // than the horizon went by age, however young the records held now (a quiet instance, 20 days on).
    const serverNow = Math.max(newestOf(seen.values()) ?? c.windowEnd, c.windowEnd);
    const horizon = serverNow - w.options.retentionMs;
    const rotated =
      oldestNew !== undefined &&
      c.windowEnd > horizon &&
      oldestNew > serverNow - 0.95 * w.options.retentionMs;
    // From the last proven coverage: the edge, or what the last walk to the end proved if later
    // (`coveredTo`). A hole an earlier stop left below the edge went with it.
    const start = c.hole ? c.hole.above : provenUntil(c);
    outcome.gap = {
      start,
      end: oldestNew,
      reason: rotated ? 'cap-rotated' : 'expired-unseen',
      detail: `no record archived by the previous run is held any more: records created after ${new Date(start ?? c.windowEnd).toISOString()} and before the oldest one held may have vanished unseen`,
    };
  }
  return outcome;
}

/**
 * What a walk stopped midway (Ctrl-C, SIGTERM, a time limit) proved, for a cursor that lets the next run go
 * on from there; undefined when it proved nothing the stored cursor does not say (the next run then walks
 * as it would have). Only records handed on to the archive count.
 *
 * - newest-first, before the edge (or on a first run): the records from the newest down to the oldest read
 *   are archived; below them lies a hole the next run reads first.
 * - newest-first, past the edge: as if the walk had finished (what it did not revisit stays pending); in
 *   the hole of a previous stop, a smaller hole remains.
 * - oldest-first, reading forwards: from the oldest (full walk) or the edge (incremental) up to the last
 *   page whose read-back over the drift was done; reading back from the edge's old page, or in the hole of
 *   an earlier stop: see `oldestFirstPartial`.
 * - an unordered or unknown listing: nothing.
 */
export function partialOutcome(w: WalkContext): InstanceOutcome | undefined {
  w.reader.forgetUnhanded();
  const c = w.options.cursor;
  const seen = w.reader.seen;
  const oldest = oldestOf(seen.values());
  const newest = newestOf(seen.values());
  if (oldest === undefined || newest === undefined) return undefined;
  const order = w.reader.order;
  if (order === 'oldest-first') {
    if (hasEdge(c) && (w.phase === 'back' || w.phase === 'hole')) return oldestFirstPartial(w, c);
    if (w.phase === 'back' || (w.phase === 'incremental' && !w.boundary)) return undefined;
    const end = w.forwardNewest;
    if (end === undefined || (c?.windowEnd !== undefined && end <= c.windowEnd)) return undefined;
    if (!hasEdge(c) || w.phase !== 'incremental') return forwardPartial(w, outcomeOf(w, true, oldest));
    const done =
      c.hole && w.holeDone ? holeOutcome(w, c, c.hole, w.holeDone) : incrementalOutcome(w, c, true);
    return forwardPartial(w, done);
  }
  if (order !== 'newest-first') return undefined;
  if (hasEdge(c) && c.hole && (w.phase === 'hole-first' || w.holeDone)) return holeFirstPartial(w, c, c.hole);
  const inHole = w.phase === 'hole' && w.holeTopReached && w.holeOldest !== undefined;
  if (w.boundary && !inHole && hasEdge(c)) {
    // Past the edge: finished but for revisits, and the hole of an earlier stop, if any, still to read.
    const outcome = incrementalOutcome(w, c, true);
    if (c.hole) outcome.cursor = { ...outcome.cursor, v: 2, hole: c.hole };
    return outcome;
  }
  if (inHole && hasEdge(c) && w.holeOldest !== undefined) {
    // In the hole, past the edge: a smaller hole remains below the oldest hole record read (contiguous
    // from the hole's top), placed by where that record was in the listing.
    const at = { skip: w.holeSkip ?? 0, count: w.holeLeft ?? 0 };
    const above = { t: c.hole?.above, ids: c.hole?.aboveIds };
    return withHoleBelow(w, incrementalOutcome(w, c, true), w.holeOldest, above, c.windowStart, at);
  }
  const outcome = outcomeOf(w, false, oldest);
  const above = c?.hole ? { t: c.hole.above, ids: c.hole.aboveIds } : { t: c?.windowEnd, ids: c?.edgeIds };
  return withHoleBelow(w, outcome, oldest, above, c?.windowStart ?? oldest);
}

/** Leaves a hole below `oldest` (the oldest read from the newest end) down to `above.t` (its ids: `above.ids`). */
function withHoleBelow(
  w: WalkContext,
  outcome: InstanceOutcome,
  oldest: number,
  above: { t: number | undefined; ids: readonly string[] | undefined },
  windowStart: number | undefined,
  at?: { skip: number; count: number },
): InstanceOutcome {
  let read = 0;
  const belowIds: string[] = [];
  for (const s of w.reader.seen.values()) {
    if (s.t >= oldest) read++;
    if (s.t === oldest) belowIds.push(s.id);
  }
  const skip = at?.skip ?? read;
  let count = at?.count ?? Math.max(0, (w.reader.lastTotal ?? skip) - skip);
  const first = w.reader.first;
  if (!hasEdge(w.options.cursor) && first?.newest !== undefined) {
    // A first run's hole, down to the first record: what the listing held when the walk began and it did
    // not read is in the hole, or expired meanwhile (records arriving since are newer than page 1 was).
    // Counted, the next run reports those that expired as a gap. Of page 1's newest second, only the
    // records page 1 showed were held then: others of that second arrived later.
    const atNewest = new Set(first.newestIds);
    let readOfFirst = 0;
    for (const s of w.reader.seen.values()) if (s.t < first.newest || atNewest.has(s.id)) readOfFirst++;
    count = Math.max(0, first.total - readOfFirst);
  }
  outcome.cursor = {
    ...outcome.cursor,
    v: 2,
    windowStart,
    hole: {
      above: above.t,
      ...(above.ids ? { aboveIds: [...above.ids] } : {}),
      below: oldest,
      belowIds,
      skip,
      count,
    },
  };
  outcome.windowStart = oldest;
  outcome.joinedPrevious = false;
  return outcome;
}

/**
 * A walk stopped after it began reading the hole first. While in the hole: the edge stays, the hole now
 * begins at the oldest record read in it (nothing when the walk had not reached its top yet). After the
 * hole: its outcome (coverage from the old start or from its oldest record, the gap when the listing ended
 * above its bottom), and a new hole between the oldest new record read and the old edge.
 */
function holeFirstPartial(w: WalkContext, c: EdgedCursor, hole: CursorHole): InstanceOutcome | undefined {
  if (!w.holeDone) {
    if (!w.holeTopReached || w.holeOldest === undefined) return undefined;
    const below = w.holeOldest;
    const belowIds = [...w.reader.seen.values()]
      .filter((s) => s.t === below && w.edge.inHole(s))
      .map((s) => s.id);
    const outcome = incrementalOutcome(w, c, true);
    const skip = hole.skip + w.holeRead;
    const count = w.holeLeft ?? Math.max(0, hole.count - w.holeRead);
    // What is new was not read to the edge: the edge, its ids and what to revisit stay the old cursor's.
    const known = new Set(c.pending.map((r) => r.id));
    const pending = [...c.pending, ...outcome.cursor.pending.filter((r) => !known.has(r.id))];
    const missingResults = [...c.missingResults, ...w.reader.missingResults];
    const next = { ...hole, below, belowIds, skip, count };
    outcome.cursor = { ...c, v: 2, pending, missingResults, hole: next };
    outcome.windowStart = below;
    outcome.windowEnd = hole.below;
    outcome.joinedPrevious = false;
    return outcome;
  }
  const outcome = holeOutcome(w, c, hole, w.holeDone);
  if (w.boundary) return outcome;
  // Read from page 1 down to `topOldest` (no archived record met): the rest down to the old edge, records
  // the hole's pages showed above it included, is a new hole.
  const oldestNew = w.topOldest;
  if (oldestNew === undefined) return undefined;
  const gap = outcome.gap;
  const partial = withHoleBelow(
    w,
    outcome,
    oldestNew,
    { t: c.windowEnd, ids: c.edgeIds },
    outcome.cursor.windowStart,
  );
  if (gap) partial.gap = gap;
  return partial;
}
