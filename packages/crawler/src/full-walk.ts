import { type CursorHole, hasEdge } from './instance-cursor.js';
import { type InstanceOutcome, incrementalOutcome, outcomeOf } from './instance-outcome.js';
import { noteForward } from './oldest-first-hole.js';
import { isLastPage, type PageView } from './page-reader.js';
import { oldestOf } from './record-key.js';
import type { WalkContext } from './walk-context.js';

/**
 * Walks every page from `from` to the end: on the first run, with `full`, or when the listing is not
 * ordered by creation time.
 */
export async function fullWalk(w: WalkContext, from: number, read?: PageView): Promise<InstanceOutcome> {
  w.reader.stopKeepingPages();
  w.phase = 'full';
  for (let p = from; ; p++) {
    // Page `from` as already read, if given.
    const page = p === from && read ? read : await w.reader.page(p);
    noteForward(w, page);
    if (!w.boundary && page.items.some((r) => w.edge.archived(r))) w.boundary = true;
    if (isLastPage(p, page)) break;
  }
  const c = w.options.cursor;
  const seen = w.reader.seen;
  if (hasEdge(c) && seen.size > 0 && !someArchived(w)) {
    // A full walk that met no archived record: what lay between the old edge and the oldest record is gone.
    return incrementalOutcome(w, c, false);
  }
  const oldest = oldestOf(seen.values());
  const hole = hasEdge(c) ? c.hole : undefined;
  if (hole && oldest !== undefined && holeWentUnread(w, hole)) {
    // Every record held was read, but none from below the hole a stopped run left: what it held then and
    // was not read since has expired.
    const outcome = outcomeOf(w, false, oldest);
    const after = hole.above === undefined ? 'the oldest held' : new Date(hole.above).toISOString();
    outcome.gap = {
      start: hole.above,
      end: oldest,
      reason: 'expired-unseen',
      detail: `records a stopped run left unread (created after ${after}) expired before this run could read them`,
    };
    return outcome;
  }
  const outcome = outcomeOf(w, true, oldest);
  const lost = expiredDuringWalk(w);
  if (lost > 0) {
    outcome.gap = {
      start: c?.windowEnd,
      end: outcome.windowStart,
      reason: 'expired-during-crawl',
      detail: `${lost} record(s) older than the oldest one read expired while the instance was being crawled`,
    };
  }
  return outcome;
}

/**
 * Whether records of the hole may have expired unread: the walk held nothing from below it (records expire
 * oldest first), or, for a hole from the beginning, read fewer of it than it held (newest-first counts).
 */
function holeWentUnread(w: WalkContext, hole: CursorHole): boolean {
  let inHole = 0;
  for (const s of w.reader.seen.values()) {
    if (hole.above !== undefined && s.t <= hole.above) return false;
    if (w.edge.inHole(s)) inHole++;
  }
  return hole.above !== undefined || inHole < hole.count;
}

function someArchived(w: WalkContext): boolean {
  for (const s of w.reader.seen.values()) if (w.edge.archived(s)) return true;
  return false;
}

/**
 * Newest-first: records at the old end that were held when the walk began may expire before it gets
 * there. Counts what existed at the start (created no later than the newest record of the first page)
 * and was not read.
 */
function expiredDuringWalk(w: WalkContext): number {
  const first = w.reader.first;
  if (w.reader.order !== 'newest-first' || first?.newest === undefined) return 0;
  let existedAtStart = 0;
  for (const s of w.reader.seen.values()) if (s.t <= first.newest) existedAtStart++;
  return first.total - existedAtStart;
}
