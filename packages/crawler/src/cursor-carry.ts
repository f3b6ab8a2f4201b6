import { isFinalInvocationStatus } from '@swas-archive/client';
import type { InstanceCursor, PendingRecord } from './instance-cursor.js';
import type { Seen } from './page-reader.js';
import type { WalkContext } from './walk-context.js';

/**
 * Records the next run must see again: those not final now; and those the previous run asked for that this
 * one did not reach, kept while they may still be held (older than anything this walk reached).
 */
export function stillToSee(
  w: WalkContext,
  oldestReached: number | undefined,
): { pending: PendingRecord[]; missingResults: PendingRecord[] } {
  const c = w.options.cursor;
  const seen = w.reader.seen;
  const unreached = (r: PendingRecord) =>
    !seen.has(r.id) && r.t < (oldestReached ?? Number.POSITIVE_INFINITY);
  const pending: PendingRecord[] = [];
  for (const s of seen.values()) if (!isFinalInvocationStatus(s.status)) pending.push({ id: s.id, t: s.t });
  for (const r of c?.pending ?? []) if (unreached(r)) pending.push(r);
  const missingResults = [...w.reader.missingResults];
  const missingIds = new Set(missingResults.map((m) => m.id));
  for (const r of c?.missingResults ?? []) {
    if (!unreached(r) || missingIds.has(r.id)) continue;
    missingResults.push(r);
    missingIds.add(r.id);
  }
  return { pending, missingResults };
}

/** Ids created at the new edge: those seen at it, and the old edge's when the edge did not move. */
export function edgeIdsAt(
  seen: Iterable<Seen>,
  end: number | undefined,
  c: InstanceCursor | undefined,
): string[] {
  if (end === undefined) return [];
  const ids: string[] = [];
  for (const s of seen) if (s.t === end) ids.push(s.id);
  if (end === c?.windowEnd) {
    const have = new Set(ids);
    for (const id of c.edgeIds) {
      if (have.has(id)) continue;
      ids.push(id);
      have.add(id);
    }
  }
  return ids;
}
