import type { CursorHole, EdgedCursor } from './instance-cursor.js';
import { type InstanceOutcome, incrementalOutcome } from './instance-outcome.js';
import { isLastPage, PAGE_SIZE, type PageView } from './page-reader.js';
import { newestOf, oldestOf } from './record-key.js';
import type { WalkContext } from './walk-context.js';

/**
 * After an incremental newest-first walk met the archived edge: reads the hole a stopped walk left below
 * it. The hole starts about `skip` records down the listing, plus the records new since; the walk jumps
 * there, steps back until a page overlaps the hole's top (nothing is skipped), then reads forward until a
 * page reaches below the hole (`above`) or the listing ends. The cursor it leaves has no hole.
 */
export async function holeWalk(w: WalkContext, c: EdgedCursor, hole: CursorHole): Promise<InstanceOutcome> {
  w.phase = 'hole';
  const reader = w.reader;
  let fresh = 0;
  for (const s of reader.seen.values()) if (!w.edge.archived(s) && !w.edge.inHole(s)) fresh++;
  let p = Math.max(1, Math.floor((hole.skip + fresh) / PAGE_SIZE));
  let page = await reader.cached(p);
  while (p > 1 && (page.items.length === 0 || (newestOf(page.items) ?? 0) < hole.below)) {
    p--;
    page = await reader.cached(p);
  }
  const reachesBelow = (view: PageView) =>
    hole.above !== undefined && view.items.some((r) => r.t <= (hole.above as number));
  let oldestInHole: number | undefined;
  const countHole = (view: PageView) => {
    for (const r of view.items) {
      if (!w.edge.inHole(r)) continue;
      w.holeRead++;
      if (oldestInHole === undefined || r.t < oldestInHole) oldestInHole = r.t;
    }
  };
  countHole(page);
  while (!reachesBelow(page) && !isLastPage(p, page)) {
    p++;
    page = await reader.cached(p);
    countHole(page);
  }
  const outcome = incrementalOutcome(w, c, true);
  const joinedBelow = reachesBelow(page);
  outcome.windowStart = joinedBelow ? hole.above : (oldestInHole ?? oldestOf(reader.seen.values()));
  // Coverage is continuous from the old start when the walk reached below the hole; else from its oldest.
  outcome.cursor.windowStart = joinedBelow ? c.windowStart : (oldestInHole ?? c.windowStart);
  const lost = hole.count - w.holeRead;
  if (!joinedBelow && (hole.above !== undefined || lost > 0)) {
    // The listing ended above the hole's bottom: what lay between is gone (expired, or rotated out).
    const after = hole.above === undefined ? 'the oldest held' : new Date(hole.above).toISOString();
    outcome.gap = {
      start: hole.above,
      end: oldestInHole ?? hole.below,
      reason: 'expired-unseen',
      detail: `records a stopped run left unread (created after ${after}) expired before this run could read them`,
    };
  }
  return outcome;
}
