import { isFinalInvocationStatus } from '@swas-archive/client';
import type { EdgedCursor } from './instance-cursor.js';
import type { InstanceOutcome } from './instance-outcome.js';
import type { PageView } from './page-reader.js';
import { newestOf, oldestOf } from './record-key.js';
import type { WalkContext } from './walk-context.js';

/**
 * A first walk of an oldest-first listing reads page 1 (the oldest records, the first to expire), then
 * reads back from the last page as an incremental walk would from this cursor: page 1 taken as archived,
 * its newest record the edge. Read forwards, a cap that rotates as many records out as come in moves every
 * page without changing `TotalCount`, and the records it moves past a page boundary would go unseen; read
 * back from the end, pages only overlap. `total` places the edge on the last page, where the back pass
 * begins.
 */
export function firstPageCursor(w: WalkContext, page1: PageView): EdgedCursor {
  const start = oldestOf(page1.items) as number;
  const end = newestOf(page1.items) as number;
  return {
    v: 1,
    order: 'oldest-first',
    windowStart: start,
    windowEnd: end,
    edgeIds: page1.items.filter((r) => r.t === end).map((r) => r.id),
    pending: page1.items.filter((r) => !isFinalInvocationStatus(r.status)).map(({ id, t }) => ({ id, t })),
    missingResults: [...w.reader.missingResults],
    total: page1.totalCount,
  };
}

/**
 * The outcome of a first walk, from that of its back pass over {@link firstPageCursor}: a first run's
 * (nothing joined, the whole listing walked) that began at page 1; a gap past page 1 means records expired
 * while the walk read back to it.
 */
export function firstWalkOutcome(
  first: WalkContext,
  second: WalkContext,
  seed: EdgedCursor,
  back: InstanceOutcome,
): InstanceOutcome {
  const outcome: InstanceOutcome = {
    ...back,
    windowStart: back.gap ? back.windowStart : seed.windowStart,
    joinedPrevious: false,
    pages: back.pages + first.reader.pages,
    records: new Set([...first.reader.seen.keys(), ...second.reader.seen.keys()]).size,
    fullWalk: true,
    notes: [...first.notes, ...back.notes],
  };
  if (back.gap)
    outcome.gap = {
      ...back.gap,
      reason: 'expired-during-crawl',
      detail: `records created after ${new Date(seed.windowEnd).toISOString()} expired while the instance was being crawled`,
    };
  return outcome;
}

/**
 * Whether the back pass over {@link firstPageCursor} shows the listing not ordered by creation time: found
 * so page by page, or a record older than page 1's newest that page 1 did not hold (ordered, page 1 held
 * every record up to its newest; drift only moves them).
 */
export function outOfOrder(back: WalkContext, page1: PageView): boolean {
  if (back.reader.order === 'unordered') return true;
  const end = newestOf(page1.items);
  if (end === undefined) return false;
  const ids = new Set(page1.items.map((r) => r.id));
  for (const s of back.reader.seen.values()) if (s.t < end && !ids.has(s.id)) return true;
  return false;
}
