import { hasEdge } from './instance-cursor.js';
import { type InstanceOutcome, incrementalOutcome, outcomeOf } from './instance-outcome.js';
import { noteForward } from './oldest-first-hole.js';
import { isLastPage } from './page-reader.js';
import { oldestOf } from './record-key.js';
import type { WalkContext } from './walk-context.js';

/**
 * Walks every page from `from` to the end: on the first run, with `full`, or when the listing is not
 * ordered by creation time.
 */
export async function fullWalk(w: WalkContext, from: number): Promise<InstanceOutcome> {
  w.reader.stopKeepingPages();
  w.phase = 'full';
  for (let p = from; ; p++) {
    const page = await w.reader.page(p);
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
  const outcome = outcomeOf(w, true, oldestOf(seen.values()));
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
