import { type CursorHole, type EdgedCursor, MAX_CLOCK_SKEW_MS } from './instance-cursor.js';
import { type InstanceOutcome, incrementalOutcome } from './instance-outcome.js';
import { isLastPage, PAGE_SIZE, type PageView } from './page-reader.js';
import { newestOf, oldestOf } from './record-key.js';
import type { HoleRead, WalkContext } from './walk-context.js';

const MINUTE = 60_000;

/**
 * After an incremental newest-first walk met the archived edge: reads the hole a stopped walk left below
 * it. The hole starts about `skip` records down the listing, plus the records new since (counted: the walk
 * read them). The cursor it leaves has no hole.
 */
export async function holeWalk(w: WalkContext, c: EdgedCursor, hole: CursorHole): Promise<InstanceOutcome> {
  w.phase = 'hole';
  let fresh = 0;
  for (const s of w.reader.seen.values()) if (!w.edge.archived(s) && !w.edge.inHole(s)) fresh++;
  const read = await readHole(w, hole, Math.floor((hole.skip + fresh) / PAGE_SIZE), 1);
  return holeOutcome(w, c, hole, read);
}

/**
 * Where to look for the hole's top before reading what is new (page 1 read, no archived record on it):
 * `skip` records down the listing plus those created since the edge, estimated from the instance's rate
 * over the creation times between the edge and the newest record (both server times), and never fewer than
 * `TotalCount` grew by, nor than page 1 held; at most the last page.
 */
export function holeTopPage(c: EdgedCursor, hole: CursorHole, page1: PageView): number {
  const newest = newestOf(page1.items) ?? c.windowEnd;
  const byRate = ((c.rate ?? 0) * Math.max(0, newest - c.windowEnd)) / MINUTE;
  const fresh = Math.max(page1.items.length, page1.totalCount - c.total, byRate);
  // Never past the last page: a rate measured long ago can put an old hole thousands of pages down, and
  // stepping back from there a page a call would spend every run's budget on empty pages.
  const last = Math.max(1, Math.ceil(page1.totalCount / PAGE_SIZE));
  return Math.min(last, Math.floor((hole.skip + fresh) / PAGE_SIZE));
}

/**
 * Reads the hole from about page `from`: steps back (not before page `floor`) until a page overlaps the
 * hole's top, so nothing is skipped, then reads forward until a page reaches below the hole (`above`) or
 * the listing ends. Records arriving meanwhile only shift pages down: seen twice, never skipped, as long
 * as each page is read after the one before it (a page kept from before a step back is read again).
 */
export async function readHole(
  w: WalkContext,
  hole: CursorHole,
  from: number,
  floor: number,
): Promise<HoleRead> {
  const reader = w.reader;
  // Never past the last page known (expiry may have shrunk the listing below where the hole was).
  const last = Math.ceil((reader.lastTotal ?? Number.POSITIVE_INFINITY) / PAGE_SIZE);
  let p = Math.max(floor, Math.min(from, Math.max(1, last)));
  let page = await reader.cached(p);
  // Back until a page reaches above the hole's top: records of its second may be listed on either side.
  while (p > floor && (page.items.length === 0 || (newestOf(page.items) ?? 0) <= hole.below)) {
    p--;
    page = await reader.cached(p);
  }
  if (await holeGone(w, hole, p, page)) return { joinedBelow: false, oldestInHole: w.holeOldest };
  // Records of one second may be listed in any order: only a record older than the old edge's second
  // shows that none of that second follows, unless the listing ends there.
  const reachesBelow = (view: PageView, at: number) =>
    hole.above !== undefined &&
    view.items.some((r) => r.t < (hole.above as number) || (r.t === hole.above && isLastPage(at, view)));
  const countHole = (view: PageView, at: number) => {
    for (const [i, r] of view.items.entries()) {
      if (!w.edge.inHole(r)) continue;
      if (!w.holeIds.has(r.id)) w.holeRead++;
      w.holeIds.add(r.id);
      if (w.holeOldest === undefined || r.t <= w.holeOldest) {
        w.holeOldest = r.t;
        w.holeSkip = (at - 1) * PAGE_SIZE + i + 1;
        w.holeLeft = Math.max(0, view.totalCount - w.holeSkip);
      }
    }
  };
  w.holeTopReached = true;
  countHole(page, p);
  while (!reachesBelow(page, p) && !isLastPage(p, page)) {
    p++;
    page = await reader.following(p, page);
    countHole(page, p);
  }
  const joinedBelow = reachesBelow(page, p);
  w.holeAboveAtFront = joinedBelow && !page.items.some((r) => r.t < (hole.above as number));
  return { joinedBelow, oldestInHole: w.holeOldest };
}

/**
 * The outcome of a walk that read the whole hole: coverage joins the old start when the walk reached below
 * the hole; when the listing ended above the hole's bottom, what lay between is a gap.
 */
export function holeOutcome(
  w: WalkContext,
  c: EdgedCursor,
  hole: CursorHole,
  read: HoleRead,
): InstanceOutcome {
  const outcome = incrementalOutcome(w, c, true);
  const { joinedBelow, oldestInHole } = read;
  outcome.windowStart = joinedBelow ? hole.above : (oldestInHole ?? oldestOf(w.reader.seen.values()));
  outcome.cursor.windowStart = joinedBelow ? c.windowStart : (oldestInHole ?? c.windowStart);
  const lost = hole.count - w.holeRead;
  const start = c.windowStart ?? hole.above;
  if (
    joinedBelow &&
    w.holeAboveAtFront &&
    hole.above !== undefined &&
    start !== undefined &&
    start < hole.above
  ) {
    // Joined at the front of the listing, on the second of the hole's bottom: one of that second created
    // after it was read may have expired unread (see `incrementalOutcome`), with the edge's second if so.
    outcome.gap = {
      start: hole.above,
      end: w.edgeGap ? c.windowEnd : hole.above,
      reason: 'expired-unseen',
      detail: `the oldest records held are of the second where a stopped run's unread part began (${new Date(hole.above).toISOString()}): one of that second created after it was read may have expired unread`,
    };
    outcome.windowStart = hole.above;
    outcome.cursor.windowStart = hole.above;
    outcome.joinedPrevious = false;
  }
  if (!joinedBelow && (hole.above !== undefined || lost > 0)) {
    // The listing ended above the hole's bottom: what lay between is gone (expired, or rotated out).
    const after = hole.above === undefined ? 'the oldest held' : new Date(hole.above).toISOString();
    // With the edge's second lost too (expiry reached it during the walk), one gap runs up to it: what the
    // cursor says was archived between them splits it (see `InstanceWalk.spans`).
    outcome.gap = {
      start: hole.above,
      end: w.edgeGap ? c.windowEnd : (oldestInHole ?? hole.below),
      reason: 'expired-unseen',
      detail: `records a stopped run left unread (created after ${after}) expired before this run could read them`,
    };
  }
  if (w.edgeGap) {
    // The edge's second is in the gap: the window starts there, so the next run does not report it again.
    outcome.windowStart = c.windowEnd;
    outcome.cursor.windowStart = c.windowEnd;
  }
  return outcome;
}

/**
 * Whether the whole hole has expired, seen from the listing's last page when page `p` (not the last)
 * holds only records newer than the hole's top: records expire oldest first, so a last page whose oldest
 * record is newer than the hole's top means every record of the hole is gone. One call instead of a walk
 * through every page between (a crawl far behind would spend each run's budget on that walk, stop before
 * its end, and begin it again the next run).
 */
async function holeGone(w: WalkContext, hole: CursorHole, p: number, page: PageView): Promise<boolean> {
  const oldest = oldestOf(page.items);
  if (oldest === undefined || oldest <= hole.below || isLastPage(p, page)) return false;
  // Where the cap is far, a hole created after a time younger than the retention is still held: no call
  // is spent on the last page (the hole-top estimate often falls a page or two short of the hole).
  const { ageBound, now, retentionMs } = w.options;
  if (ageBound && now && hole.above !== undefined && hole.above + retentionMs > now() + MAX_CLOCK_SKEW_MS)
    return false;
  const last = Math.ceil(page.totalCount / PAGE_SIZE);
  if (last <= p) return false;
  const end = await w.reader.page(last);
  // Only a page that is the last by its own answer shows the oldest record held (records arriving since
  // page p may have pushed the hole past it), and only in a listing still known to be newest-first.
  if (last * PAGE_SIZE < end.totalCount || w.reader.order !== 'newest-first') return false;
  const endOldest = oldestOf(end.items);
  if (endOldest === undefined || endOldest <= hole.below) return false;
  w.holeTopReached = true;
  return true;
}
