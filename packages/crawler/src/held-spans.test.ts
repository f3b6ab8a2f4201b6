import type { CoverageRecord } from '@swas-archive/archive';
import { describe, expect, it } from 'vitest';
import { completeCoverage, stoppedCoverage } from './coverage-records.js';
import { type HeldSpan, mergeSpans, splitGap, withSpans } from './held-spans.js';
import type { InstanceCursor } from './instance-cursor.js';
import { InstanceWalk, walkInstance } from './instance-walk.js';
import { MemoryInstance, type ServedOrder } from './testing/memory-instance.js';

const T0 = Date.parse('2026-05-01T00:00:00Z');
const DAY = 86_400_000;
const where = { account: 'a', regionId: 'r', instanceId: 'i-memory' };
const options = (cursor?: InstanceCursor) => ({
  cursor,
  full: false,
  retentionMs: 14 * DAY,
  maxRevisitPages: 20,
});
const gap = (start: number, end: number): CoverageRecord => ({
  ...where,
  observedAt: new Date(T0),
  complete: true,
  windowStart: new Date(end),
  windowEnd: new Date(end + 1000),
  joinedPrevious: false,
  gapStart: new Date(start),
  gapEnd: new Date(end),
  gapReason: 'expired-unseen',
});
const partsOf = (rows: CoverageRecord[]) => rows.map((r) => [r.gapStart?.getTime(), r.gapEnd?.getTime()]);

describe('a gap split around spans archived whole', () => {
  it('leaves the parts outside the spans, the first with the window', () => {
    const rows = splitGap(gap(0, 100), [
      [60, 70],
      [10, 20],
      [15, 30],
      [200, 300],
    ]);
    expect(partsOf(rows)).toEqual([
      [0, 10],
      [30, 60],
      [70, 100],
    ]);
    expect(rows[0]?.windowEnd).toEqual(new Date(1100));
    expect(rows.slice(1).every((r) => !r.complete && r.windowStart === undefined && r.gapReason)).toBe(true);
  });

  it('keeps the seconds of a span end that meets the gap, and no more than the gap end when covered', () => {
    expect(partsOf(splitGap(gap(0, 100), [[0, 100]]))).toEqual([
      [0, 0],
      [100, 100],
    ]);
    expect(partsOf(splitGap(gap(10, 90), [[0, 100]]))).toEqual([[90, 90]]);
    expect(mergeSpans([[5, 9] as HeldSpan, [1, 6]])).toEqual([[1, 9]]);
  });
});

/**
 * Runs `mem` again and again with new records arriving and the oldest rotating out faster than the runs,
 * each stopped after a few reads, then lets one run finish. Returns every gap part reported and every id
 * archived.
 */
async function behindAndStopped(order: ServedOrder) {
  const mem = new MemoryInstance(order);
  mem.add(100, T0);
  let cursor = (await walkInstance(mem, options())).cursor;
  const archived = new Set(mem.emitted.keys());
  const all = new Map(mem.records.map((r) => [r.id, r.t]));
  const parts: [number, number][] = [];
  const stops = [3, 5, 2, 4, 6, 3, 2, 5, 4, 3, 6, 2, 3, 4, 5, 0];
  for (const [run, stopAt] of stops.entries()) {
    for (const r of mem.add(100 + (run % 3) * 40, mem.newest + 1000)) all.set(r.id, r.t);
    mem.expireOldest(Math.max(0, mem.records.length - 420));
    mem.resetCounts();
    let reads = 0;
    mem.afterRead = () => {
      if (++reads === stopAt) throw new DOMException('stopped', 'AbortError');
    };
    const walk = new InstanceWalk(mem, options(cursor));
    let rows: CoverageRecord[];
    try {
      const outcome = await walk.run();
      rows = splitGap(completeCoverage(where, new Date(T0), outcome, cursor), walk.spans());
      cursor = withSpans(outcome.cursor, walk.spans());
    } catch {
      const partial = walk.partial();
      rows = splitGap(stoppedCoverage(where, new Date(T0), partial), walk.spans());
      cursor = withSpans(partial?.cursor ?? cursor, walk.spans());
    }
    mem.afterRead = undefined;
    for (const id of mem.emitted.keys()) archived.add(id);
    for (const r of rows)
      if (r.gapReason) parts.push([r.gapStart?.getTime() ?? -1, r.gapEnd?.getTime() ?? -1]);
  }
  const held = new Set(mem.records.map((r) => r.id));
  const lost = [...all].filter(([id]) => !archived.has(id) && !held.has(id));
  return { parts, lost, archived: [...all].filter(([id]) => archived.has(id)) };
}

describe.each(['newest-first', 'oldest-first'] as const)('%s: walks behind and stopped', (order) => {
  it('report gaps holding every record lost and none archived', async () => {
    const { parts, lost, archived } = await behindAndStopped(order);
    expect(lost.length).toBeGreaterThan(100);
    for (const [id, t] of lost)
      expect(
        parts.some(([s, e]) => s <= t && t <= e),
        id,
      ).toBe(true);
    const inside = archived.filter(([, t]) => parts.some(([s, e]) => s < t && t < e));
    expect(inside).toEqual([]);
  });
});
