import { fullWalk } from './full-walk.js';
import { holeOutcome, holeTopPage, holeWalk, readHole } from './hole-walk.js';
import type { EdgedCursor } from './instance-cursor.js';
import { type InstanceOutcome, incrementalOutcome } from './instance-outcome.js';
import { oldestFirstWalk } from './oldest-first-walk.js';
import { isLastPage, type PageView } from './page-reader.js';
import { oldestOf } from './record-key.js';
import type { WalkContext } from './walk-context.js';

/**
 * An incremental walk of a newest-first listing (or one whose order is not known yet): pages from 1 until
 * one holds an archived record (the boundary), then further only to see again records last seen not final,
 * at most `maxRevisitPages` past the boundary. Switches walk if page 1 shows another order.
 *
 * A hole a stopped walk left holds the oldest records not archived, the first to expire: when page 1 does
 * not reach the edge, the walk reads the hole first (see {@link readHole}), then goes on from page 2 down
 * to the edge; a time limit then stops it among the newest records, which live longest. When page 1
 * reaches the edge, the hole is read after it.
 */
export async function newestFirstWalk(w: WalkContext, c: EdgedCursor): Promise<InstanceOutcome> {
  w.phase = 'incremental';
  let boundaryPage: number | undefined;
  let edgeMet = false;
  for (let p = 1; ; p++) {
    const page = await w.reader.page(p);
    const oldest = oldestOf(page.items);
    if (oldest !== undefined && (w.topOldest === undefined || oldest < w.topOldest)) w.topOldest = oldest;
    if (w.reader.order === 'oldest-first' && p === 1 && !isLastPage(p, page)) return oldestFirstWalk(w, c);
    if (w.reader.order === 'unordered') {
      w.noteUnordered();
      return fullWalk(w, p + 1);
    }
    // Records of one second may be listed in any order: a record of the edge's second created after the
    // last run read it may follow the edge's records, so the boundary is a page that also goes below it.
    if (page.items.some((r) => w.edge.archived(r))) edgeMet = true;
    if (
      boundaryPage === undefined &&
      edgeMet &&
      (isLastPage(p, page) || page.items.some((r) => r.t < c.windowEnd))
    ) {
      boundaryPage = p;
      w.boundary = true;
      w.edgeAtFront = isLastPage(p, page) && !page.items.some((r) => r.t < c.windowEnd);
    }
    if (p === 1 && boundaryPage === undefined && c.hole && !isLastPage(p, page)) await holeFirst(w, c, page);
    if (isLastPage(p, page)) break;
    if (boundaryPage === undefined) continue;
    if (!w.revisitBeyond(page)) break;
    if (p - boundaryPage >= w.options.maxRevisitPages) {
      w.noteTooDeep();
      break;
    }
  }
  if (boundaryPage === undefined || !c.hole) return incrementalOutcome(w, c, boundaryPage !== undefined);
  if (w.holeDone) return holeOutcome(w, c, c.hole, w.holeDone);
  return holeWalk(w, c, c.hole);
}

/** Reads the hole before what is new (page 1 read): from about its top, never before page 2. */
async function holeFirst(w: WalkContext, c: EdgedCursor, page1: PageView): Promise<void> {
  if (!c.hole) return;
  w.phase = 'hole-first';
  w.holeDone = await readHole(w, c.hole, holeTopPage(c, c.hole, page1), 2);
  w.phase = 'incremental';
}
