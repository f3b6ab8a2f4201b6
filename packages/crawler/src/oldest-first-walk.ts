import { fullWalk } from './full-walk.js';
import { holeOutcome } from './hole-walk.js';
import type { EdgedCursor } from './instance-cursor.js';
import { type InstanceOutcome, incrementalOutcome } from './instance-outcome.js';
import { endAt, noteBackPage, readHoleBack } from './oldest-first-hole.js';
import { PAGE_SIZE, type PageView } from './page-reader.js';
import type { WalkContext } from './walk-context.js';

/**
 * An incremental walk of an oldest-first listing: from the page where the archived edge was last time,
 * back while pages hold only new records (expiries move the edge towards the front), further back to see
 * again records last seen not final (at most `maxRevisitPages`), then forward to the newest end.
 */
export async function oldestFirstWalk(w: WalkContext, c: EdgedCursor): Promise<InstanceOutcome> {
  const reader = w.reader;
  if (c.hole) {
    w.phase = 'hole';
    w.holeDone = await readHoleBack(w, c.hole, c.total);
  }
  w.phase = 'back';
  // The edge met, and passed: a record of the edge's second created after the last run may be listed
  // just before the edge's records, on the page before, unless this is page 1.
  let edgeMet = false;
  const holdsArchived = (page: PageView, at: number) => {
    if (page.items.some((r) => w.edge.archived(r))) edgeMet = true;
    const below = page.items.some((r) => r.t < c.windowEnd);
    if (edgeMet && at === 1 && !below) w.edgeAtFront = true;
    return edgeMet && (at === 1 || below);
  };
  // The archived edge was last at position total-1; expiries since then moved it towards the front.
  let q = c.total > 0 ? Math.floor((c.total - 1) / PAGE_SIZE) + 1 : 1;
  let page = await reader.cached(q);
  // On to the last page: read backwards from the end, the listing only overlaps (records expiring from the
  // front move pages towards it, new ones arrive past the end), so nothing is skipped and nothing is read
  // again for drift. Reading forwards, a cap that rotates as many records out as come in moves pages
  // without changing `TotalCount`, and the records it moves past a page boundary would go unseen. What
  // arrives after the last page was read is new for the next run.
  for (let hops = 0; hops < 4; hops++) {
    const last = Math.max(1, Math.ceil(page.totalCount / PAGE_SIZE));
    if (page.items.length === 0 ? q <= 1 : q >= last) break;
    q = page.items.length === 0 ? Math.min(q - 1, last) : Math.max(q + 1, last);
    page = await reader.probe(q);
  }
  noteBackPage(w, page, q);
  let boundary = holdsArchived(page, q);
  w.boundary = boundary;
  let low = q;
  // Walk back (past an empty page too: the listing shrank) until a page holds an archived record, or one
  // older than the edge, or the front of the list is reached.
  while (!boundary && low > 1 && (page.items[0]?.t ?? Number.POSITIVE_INFINITY) >= c.windowEnd) {
    low--;
    page = await reader.probe(low);
    noteBackPage(w, page, low);
    boundary = holdsArchived(page, low);
    w.boundary = boundary;
  }
  // Records last seen not final are older than the edge: walk further back to them.
  for (let extra = 0; boundary && low > 1 && w.revisitBeyond(page); extra++) {
    if (extra >= w.options.maxRevisitPages) {
      w.noteTooDeep();
      break;
    }
    low--;
    page = await reader.probe(low);
  }
  if (reader.order === 'unordered') {
    // A first walk's back pass: the caller walks every page afresh (this outcome is not used).
    if (w.options.seeded) return incrementalOutcome(w, c, false);
    w.noteUnordered();
    return fullWalk(w, 1);
  }
  // Without the edge, what lay between the hole's bottom and the oldest record held is one gap. What was
  // read ends at the newest record read back from the end (a page probed further on proves nothing).
  const outcome =
    c.hole && w.holeDone && boundary
      ? holeOutcome(w, c, c.hole, w.holeDone)
      : incrementalOutcome(w, c, boundary);
  return endAt(w, outcome, w.backNewest);
}
