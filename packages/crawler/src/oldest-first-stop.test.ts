import { describe, expect, it } from 'vitest';
import { completeCoverage, stoppedCoverage } from './coverage-records.js';
import { splitGap, withSpans } from './held-spans.js';
import type { InstanceCursor } from './instance-cursor.js';
import { InstanceWalk, walkInstance } from './instance-walk.js';
import { MemoryInstance } from './testing/memory-instance.js';

const T0 = Date.parse('2026-05-01T00:00:00Z');
const DAY = 86_400_000;
const options = (cursor?: InstanceCursor) => ({
  cursor,
  full: false,
  retentionMs: 14 * DAY,
  maxRevisitPages: 20,
});

/** Walks `mem`, stopped (as an abort would) on its `stopAtRead`-th page read; returns what it proved. */
async function stoppedAtRead(mem: MemoryInstance, stopAtRead: number, cursor?: InstanceCursor) {
  mem.resetCounts();
  let reads = 0;
  mem.afterRead = () => {
    if (++reads === stopAtRead) throw new DOMException('stopped', 'AbortError');
  };
  const walk = new InstanceWalk(mem, options(cursor));
  await expect(walk.run()).rejects.toThrow('stopped');
  mem.afterRead = undefined;
  return walk.partial();
}

function tallyInto(total: Map<string, number>, mem: MemoryInstance) {
  for (const [id, states] of mem.emitted) total.set(id, (total.get(id) ?? 0) + states.length);
}

/** Every id `mem` holds emitted, over all runs, exactly once (nothing lost, nothing twice). */
function expectEachOnce(mem: MemoryInstance, emitted: Map<string, number>) {
  for (const r of mem.records) expect(emitted.get(r.id), r.id).toBe(1);
}

describe('an oldest-first walk stopped midway leaves a cursor the next run goes on from', () => {
  it('oldest-first first run: page 1 and the newest pages read are archived; the next run reads on', async () => {
    const mem = new MemoryInstance('oldest-first');
    mem.add(500, T0);
    const total = new Map<string, number>();
    // Page 1, then back from the last page: pages 10 and 9 archived, a hole from page 1 to them.
    const partial = await stoppedAtRead(mem, 4);
    tallyInto(total, mem);
    expect(partial?.cursor).toMatchObject({ v: 2, windowStart: T0, windowEnd: T0 + 499_000 });
    expect(partial?.cursor.hole).toMatchObject({ above: T0 + 49_000, below: T0 + 400_000 });
    mem.resetCounts();
    await walkInstance(mem, options(partial?.cursor));
    tallyInto(total, mem);
    expectEachOnce(mem, total);
  });

  it('oldest-first first run while the cap rotates as many records out as come in: none skipped', async () => {
    const mem = new MemoryInstance('oldest-first');
    const held = mem.add(500, T0);
    // Each read, the 3 oldest rotate out and 3 arrive: TotalCount never changes, pages shift by 3.
    mem.afterRead = () => {
      mem.expireOldest(3);
      mem.add(3, mem.newest + 1000);
    };
    const outcome = await walkInstance(mem, options());
    mem.afterRead = undefined;
    // Every record held at the start is archived, or expired inside the gap the walk reports.
    const gap = outcome.gap;
    const unread = held.filter((r) => !mem.emitted.has(r.id));
    for (const r of unread) expect(gap && r.t >= (gap.start ?? 0) && r.t <= (gap.end ?? 0), r.id).toBe(true);
    expect(unread.every((r) => !mem.records.includes(r))).toBe(true);
    expect(outcome.windowEnd).toBeGreaterThanOrEqual(held[499]?.t ?? 0);
    expect(mem.duplicates()).toEqual([]);
  });

  it('oldest-first, stopped again and again before the edge: each run goes on from where the last stopped', async () => {
    const mem = new MemoryInstance('oldest-first');
    mem.add(300, T0);
    let cursor = (await walkInstance(mem, options())).cursor;
    const fresh = mem.add(1000, mem.newest + 1000);
    const total = new Map<string, number>();
    let runs = 0;
    let reads = 0;
    for (let done = false; !done && runs < 12; runs++) {
      mem.resetCounts();
      let read = 0;
      mem.afterRead = () => {
        // The cap rotates the oldest records out while the walk reads, and a run stops after 6 reads.
        mem.expireOldest(5);
        if (++read === 6) throw new DOMException('stopped', 'AbortError');
      };
      const walk = new InstanceWalk(mem, options(cursor));
      try {
        cursor = (await walk.run()).cursor;
        done = true;
      } catch {
        cursor = walk.partial()?.cursor ?? cursor;
      }
      mem.afterRead = undefined;
      reads += mem.reads.length;
      tallyInto(total, mem);
    }
    // 20 pages of new records, read at most twice over, found again by a few reads each run.
    expect(runs).toBeLessThanOrEqual(8);
    expect(reads).toBeLessThanOrEqual(45);
    for (const r of fresh) expect(total.get(r.id) ?? 0, r.id).toBeGreaterThanOrEqual(1);
    expect(cursor.hole).toBeUndefined();
    expect(cursor.windowEnd).toBe(mem.newest);
  });

  it('a run that finds the hole gone and not the edge either reports one gap over both', async () => {
    const mem = new MemoryInstance('oldest-first');
    mem.add(300, T0);
    const first = await walkInstance(mem, options());
    mem.add(1000, mem.newest + 1000);
    // Every archived record expires; reading back from the end, the run stops on its fourth read: the
    // newest pages archived, a hole from the old edge to the oldest record they held.
    mem.expireOldest(300);
    const partial = await stoppedAtRead(mem, 4, first.cursor);
    expect(partial?.cursor).toMatchObject({ windowEnd: mem.newest, hole: { above: first.cursor.windowEnd } });
    // Before the next run, 100 records arrive; the hole, the edge and 20 of the new records (never read)
    // expire.
    const newer = mem.add(100, mem.newest + 1000);
    mem.expireOldest(mem.records.findIndex((r) => r.id === newer[20]?.id));
    mem.resetCounts();
    const next = await walkInstance(mem, options(partial?.cursor));
    expect(next.joinedPrevious).toBe(false);
    for (const r of newer.slice(0, 20)) {
      expect(mem.emitted.has(r.id)).toBe(false);
      expect(r.t > (next.gap?.start ?? Number.POSITIVE_INFINITY) && r.t < (next.gap?.end ?? 0), r.id).toBe(
        true,
      );
    }
  });

  it('records read not final in the hole, stopped there, are seen again when they end', async () => {
    const mem = new MemoryInstance('oldest-first');
    mem.add(300, T0);
    const first = await walkInstance(mem, options());
    mem.add(1000, mem.newest + 1000, 'Running');
    mem.expireOldest(300);
    const p1 = await stoppedAtRead(mem, 4, first.cursor);
    const top = p1?.cursor.hole?.below ?? 0;
    expect(top).toBeGreaterThan(0);
    // The next run finds the hole and reads back into it, then stops there.
    const p2 = await stoppedAtRead(mem, 5, p1?.cursor);
    expect(p2?.cursor.hole?.below).toBeLessThan(top);
    const readInHole = [...mem.emitted.keys()];
    expect(readInHole.length).toBeGreaterThan(0);
    for (const r of mem.records) r.status = 'Success';
    let cursor = p2?.cursor;
    const final = new Set<string>();
    for (let run = 0; run < 3; run++) {
      mem.resetCounts();
      cursor = (await walkInstance(mem, options(cursor))).cursor;
      for (const [id, states] of mem.emitted) if (states.includes('Success')) final.add(id);
    }
    expect(readInHole.filter((id) => !final.has(id))).toEqual([]);
  });

  it('a hole placed wrongly in its cursor (no position, no total) is still read whole', async () => {
    const mem = new MemoryInstance('oldest-first');
    mem.add(300, T0);
    const first = await walkInstance(mem, options());
    const fresh = mem.add(1000, mem.newest + 1000);
    const total = new Map<string, number>();
    const partial = await stoppedAtRead(mem, 4, first.cursor);
    tallyInto(total, mem);
    const cursor = partial?.cursor as InstanceCursor & { hole: NonNullable<InstanceCursor['hole']> };
    expect(cursor.hole).toBeDefined();
    mem.resetCounts();
    const next = await walkInstance(mem, options({ ...cursor, total: 0, hole: { ...cursor.hole, skip: 0 } }));
    tallyInto(total, mem);
    for (const r of fresh) expect(total.get(r.id) ?? 0, r.id).toBeGreaterThanOrEqual(1);
    expect(next.gap).toBeUndefined();
    expect(next.cursor.hole).toBeUndefined();
  });

  it('a listing that keeps growing and shrinking across a page boundary is still read back whole', async () => {
    const mem = new MemoryInstance('oldest-first');
    mem.add(300, T0);
    const first = await walkInstance(mem, options());
    mem.expireOldest(5);
    mem.add(705, mem.newest + 1000);
    // TotalCount goes 1,001, 1,000, 1,001, 1,000 over the first reads: the last page appears and vanishes.
    let reads = 0;
    mem.afterRead = () => {
      if (++reads > 4) return;
      if (reads % 2 === 1) mem.add(1, mem.newest + 1000);
      else mem.expireOldest(1);
    };
    mem.resetCounts();
    const next = await walkInstance(mem, options(first.cursor));
    mem.afterRead = undefined;
    const edge = first.cursor.windowEnd ?? 0;
    const unread = mem.records.filter(
      (r) => r.t > edge && r.t <= (next.windowEnd ?? 0) && !mem.emitted.has(r.id),
    );
    expect(unread).toEqual([]);
    expect(next.gap).toBeUndefined();
  });

  it('stopped while seeing again records past an edge found on the first page read: no hole', async () => {
    const mem = new MemoryInstance('oldest-first');
    mem.add(100, T0, 'Running');
    mem.add(200, T0 + 100_000);
    const first = await walkInstance(mem, options());
    mem.add(30, mem.newest + 1000);
    mem.expireOldest(20);
    const partial = await stoppedAtRead(mem, 2, first.cursor);
    expect(partial?.cursor.hole).toBeUndefined();
  });
});

describe('an oldest-first back pass stopped after records arrived and more than a page expired', () => {
  it('claims only what it read without a break: the arrivals pulled past its pages are read next', async () => {
    // A reviewer's scenario: without the fix, 50 arrivals stayed held, never read, and in no gap.
    const mem = new MemoryInstance('oldest-first');
    mem.add(100, T0);
    const first = await walkInstance(mem, options());
    mem.add(400, mem.newest + 1000);
    const all = new Map(mem.records.map((r) => [r.id, r.t]));
    mem.resetCounts();
    let reads = 0;
    mem.afterRead = () => {
      // Right after the last page (10) is read: 300 of the oldest go and 90 arrive, pages 1 to 6 left.
      if (++reads === 2) {
        mem.expireOldest(300);
        for (const r of mem.add(90, mem.newest + 1000)) all.set(r.id, r.t);
      }
      if (reads === 7) throw new DOMException('stopped', 'AbortError');
    };
    const stopped = new InstanceWalk(mem, options(first.cursor));
    await expect(stopped.run()).rejects.toThrow('stopped');
    mem.afterRead = undefined;
    const partial = stopped.partial();
    const where = { account: 'a', regionId: 'r', instanceId: 'i-memory' };
    const rows = splitGap(stoppedCoverage(where, new Date(mem.newest), partial), stopped.spans());
    const cursor = withSpans(partial?.cursor ?? (first.cursor as InstanceCursor), stopped.spans());
    const archived = new Set(mem.emitted.keys());
    mem.resetCounts();
    const next = new InstanceWalk(mem, options(cursor));
    const out = await next.run();
    rows.push(...splitGap(completeCoverage(where, new Date(mem.newest), out, cursor), next.spans()));
    for (const id of mem.emitted.keys()) archived.add(id);
    const held = new Set(mem.records.map((r) => r.id));
    const parts = rows
      .filter((r) => r.gapReason)
      .map((r) => [r.gapStart?.getTime() ?? -1, r.gapEnd?.getTime() ?? -1] as const);
    const unread = [...all].filter(([id]) => held.has(id) && !archived.has(id));
    expect(unread.filter(([, t]) => !parts.some(([s, e]) => s <= t && t <= e))).toEqual([]);
  });
});
