import { spanHolding } from './held-spans.js';
import { holeOutcome } from './hole-walk.js';
import type { CursorHole, EdgedCursor } from './instance-cursor.js';
import { type InstanceOutcome, incrementalOutcome } from './instance-outcome.js';
import { PAGE_SIZE, type PageView } from './page-reader.js';
import { newestOf, oldestOf } from './record-key.js';
import type { HoleRead, WalkContext } from './walk-context.js';

/**
 * Reads the hole a stopped walk left in an oldest-first listing, before what is new (its records are the
 * oldest not archived, the first to expire). Finds by creation time the first page reaching up to the
 * hole's top (`below`), from where the stopped walk left it (`skip`: the records before it then) at the pace
 * of the records read (a few calls however deep the hole lies), then reads back page by page until a page
 * reaches the old edge (`above`) or the front of the listing. Read backwards, nothing is skipped: records
 * expiring from the front only move pages towards it, and new ones arrive at the other end.
 */
export async function readHoleBack(w: WalkContext, hole: CursorHole, total: number): Promise<HoleRead> {
  const reader = w.reader;
  // Expiry moves the hole's top towards the front only: it lies no later than where the walk left it.
  let hi = hole.skip > 0 ? Math.floor(hole.skip / PAGE_SIZE) + 1 : Math.max(1, Math.ceil(total / PAGE_SIZE));
  let lo = 1;
  let guess = hi;
  let probed: { p: number; page: PageView } | undefined;
  while (lo < hi) {
    const p = Math.min(hi, Math.max(lo, guess));
    const page = await reader.probe(p);
    probed = { p, page };
    const { items, totalCount } = page;
    if (items.length === 0 && p > 1) {
      // Past the end (records expired since): on to the last page.
      hi = Math.min(p - 1, Math.max(1, Math.ceil(totalCount / PAGE_SIZE)));
      guess = hi;
      continue;
    }
    const newest = newestOf(items);
    const oldest = oldestOf(items);
    // Only a record newer than the top's second shows the top is not further on: records of that second
    // may be listed in any order.
    if (newest !== undefined && newest <= hole.below) {
      lo = p + 1;
      guess = Math.floor((lo + hi) / 2);
      continue;
    }
    hi = p;
    if (oldest === undefined || newest === undefined || oldest < hole.below) {
      // The page holds the top (or the listing ends before it): the page before lies wholly below it.
      if (oldest !== undefined && oldest < hole.below) lo = p;
      guess = Math.floor((lo + hi) / 2);
      continue;
    }
    // Wholly above the top: as many pages back as the records between, at this page's pace.
    const msPerRecord = items.length > 1 ? (newest - oldest) / (items.length - 1) : 0;
    const back = msPerRecord > 0 ? Math.ceil((oldest - hole.below) / msPerRecord / PAGE_SIZE) : 1;
    guess = p - Math.max(1, back);
  }
  // The page the read-back starts from must reach past the top's second: else on, towards the end.
  let start = probed?.p === lo ? probed.page : await reader.probe(lo);
  while (
    (newestOf(start.items) ?? Number.POSITIVE_INFINITY) <= hole.below &&
    lo * PAGE_SIZE < start.totalCount
  ) {
    lo++;
    start = await reader.probe(lo);
  }
  for (let p = lo; ; p--) {
    const page = p === lo ? start : await reader.probe(p);
    countHole(w, page, p);
    w.holeTopReached = true;
    // Joined below a record older than the old edge's second (records of that second may come in any order).
    if (hole.above !== undefined && page.items.some((r) => r.t < (hole.above as number)))
      return { joinedBelow: true, oldestInHole: w.holeOldest };
    if (p <= 1) return { joinedBelow: hole.above === undefined, oldestInHole: w.holeOldest };
  }
}

function countHole(w: WalkContext, page: PageView, p: number): void {
  for (const [i, r] of page.items.entries()) {
    if (!w.edge.inHole(r)) continue;
    if (!w.holeIds.has(r.id)) w.holeRead++;
    w.holeIds.add(r.id);
    if (w.holeOldest === undefined || r.t < w.holeOldest) {
      w.holeOldest = r.t;
      w.holeSkip = (p - 1) * PAGE_SIZE + i;
    }
  }
}

/** Notes a page read forwards, its read-back over the drift done (see `WalkContext.forwardNewest`). */
export function noteForward(w: WalkContext, page: PageView): void {
  const newest = newestOf(page.items);
  if (newest !== undefined && (w.forwardNewest === undefined || newest > w.forwardNewest))
    w.forwardNewest = newest;
}

/**
 * Ends what `outcome` proved at `end` (when it claims more): the newest record up to which everything was
 * read. An oldest-first walk stopped while reading forwards ends at `forwardNewest` (a page read after it
 * may have skipped records the drift moved back, which its read-back had not found yet); one that read
 * back from the end, at the newest record of the page it began from.
 */
export function endAt(w: WalkContext, outcome: InstanceOutcome, end: number | undefined): InstanceOutcome {
  if (end === undefined || outcome.windowEnd === undefined || outcome.windowEnd <= end) return outcome;
  const ids = [...w.reader.seen.values()].filter((s) => s.t === end).map((s) => s.id);
  outcome.cursor = { ...outcome.cursor, windowEnd: end, edgeIds: ids };
  outcome.windowEnd = end;
  return outcome;
}

/** An oldest-first walk stopped while reading forwards (see {@link endAt}); undefined: it proved nothing. */
export function forwardPartial(w: WalkContext, outcome: InstanceOutcome): InstanceOutcome | undefined {
  return w.forwardNewest === undefined ? undefined : endAt(w, outcome, w.forwardNewest);
}

/** Notes a page the back pass read, from the edge's old page towards the front: what it read contiguously. */
export function noteBackPage(w: WalkContext, page: PageView, p: number): void {
  for (const [i, r] of page.items.entries()) {
    if (w.backOldest === undefined || r.t < w.backOldest) {
      w.backOldest = r.t;
      w.backOldestAt = (p - 1) * PAGE_SIZE + i;
    }
    if (w.backNewest === undefined || r.t > w.backNewest) w.backNewest = r.t;
  }
}

/**
 * What an oldest-first walk with an edge proved when it was stopped before it read on past the newest
 * records it had reached from the edge (undefined: nothing the stored cursor does not say).
 *
 * - In the hole of an earlier stop: a smaller hole, below the oldest hole record read.
 * - Walking back from the edge's old page (new records, newest first): those from that page back to the
 *   oldest read are archived; between them and the old edge lies a hole the next run reads first.
 *   Without this, each run would read the same newest pages and stop before the edge.
 */
export function oldestFirstPartial(w: WalkContext, c: EdgedCursor): InstanceOutcome | undefined {
  const seen = [...w.reader.seen.values()];
  const idsAt = (t: number) => seen.filter((s) => s.t === t).map((s) => s.id);
  if (w.phase === 'hole') {
    if (!c.hole || !w.holeTopReached || w.holeOldest === undefined) return undefined;
    const below = w.holeOldest;
    const outcome = incrementalOutcome(w, c, true);
    const hole = { ...c.hole, below, belowIds: idsAt(below), skip: w.holeSkip ?? 0 };
    // What is new was not read: the cursor stays the old one but for the smaller hole, and what the hole's
    // records still need (a final state, a result).
    const known = new Set(c.pending.map((r) => r.id));
    const pending = [...c.pending, ...outcome.cursor.pending.filter((r) => !known.has(r.id))];
    const missingResults = [...c.missingResults, ...w.reader.missingResults];
    outcome.cursor = { ...c, v: 2, pending, missingResults, hole };
    outcome.windowStart = below;
    outcome.windowEnd = c.hole.below;
    outcome.joinedPrevious = false;
    return outcome;
  }
  if (w.phase !== 'back' || (c.hole && !w.holeDone)) return undefined;
  const { backOldest, backNewest } = w;
  const readNew = backOldest !== undefined && backNewest !== undefined && backNewest > c.windowEnd;
  if (!readNew && !(c.hole && w.holeDone)) return undefined;
  const outcome =
    c.hole && w.holeDone ? holeOutcome(w, c, c.hole, w.holeDone) : incrementalOutcome(w, c, true);
  const { hole: _done, ...cursor } = outcome.cursor;
  if (!readNew) {
    // The hole is read, what is new is not: the edge stays where it was.
    outcome.cursor = { ...cursor, v: 1, windowEnd: c.windowEnd, edgeIds: c.edgeIds };
    outcome.windowEnd = c.windowEnd;
    return outcome;
  }
  outcome.cursor = { ...cursor, v: 1, windowEnd: backNewest, edgeIds: idsAt(backNewest) };
  outcome.windowEnd = backNewest;
  if (w.boundary) return outcome;
  // Read without a break only from the newest record down to where the pages read back stopped joining:
  // records that arrived during the pass, pulled forward by expiry past the pages read, lie between.
  const chain = spanHolding(w.reader.spans, backNewest);
  const below = chain ? Math.max(backOldest, chain[0]) : backOldest;
  outcome.cursor = {
    ...outcome.cursor,
    v: 2,
    hole: {
      ...{ above: c.windowEnd, aboveIds: c.edgeIds, below, belowIds: idsAt(below) },
      // Where the oldest read lay: no later than the hole's top, whose search goes on from there.
      ...{ skip: w.backOldestAt ?? 0, count: 0 },
    },
  };
  outcome.windowStart = below;
  outcome.joinedPrevious = false;
  return outcome;
}
