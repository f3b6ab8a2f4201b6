import { fullWalk } from './full-walk.js';
import { holeWalk } from './hole-walk.js';
import type { EdgedCursor } from './instance-cursor.js';
import { type InstanceOutcome, incrementalOutcome } from './instance-outcome.js';
import { oldestFirstWalk } from './oldest-first-walk.js';
import { isLastPage } from './page-reader.js';
import type { WalkContext } from './walk-context.js';

/**
 * An incremental walk of a newest-first listing (or one whose order is not known yet): pages from 1 until
 * one holds an archived record (the boundary), then further only to see again records last seen not final,
 * at most `maxRevisitPages` past the boundary, then into the hole a stopped walk left, if any. Switches
 * walk if page 1 shows another order.
 */
export async function newestFirstWalk(w: WalkContext, c: EdgedCursor): Promise<InstanceOutcome> {
  w.phase = 'incremental';
  let boundaryPage: number | undefined;
  for (let p = 1; ; p++) {
    const page = await w.reader.page(p);
    if (w.reader.order === 'oldest-first' && p === 1 && !isLastPage(p, page)) return oldestFirstWalk(w, c);
    if (w.reader.order === 'unordered') {
      w.noteUnordered();
      return fullWalk(w, p + 1);
    }
    if (boundaryPage === undefined && page.items.some((r) => w.edge.archived(r))) {
      boundaryPage = p;
      w.boundary = true;
    }
    if (isLastPage(p, page)) break;
    if (boundaryPage === undefined) continue;
    if (!w.revisitBeyond(page)) break;
    if (p - boundaryPage >= w.options.maxRevisitPages) {
      w.noteTooDeep();
      break;
    }
  }
  if (boundaryPage !== undefined && c.hole) return holeWalk(w, c, c.hole);
  return incrementalOutcome(w, c, boundaryPage !== undefined);
}
