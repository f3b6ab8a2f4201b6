import { describe, expect, it } from 'vitest';
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

/** Walks `mem` and stops it (as an abort would) when page `stopAt` is read; returns the cursor left. */
async function stoppedWalk(mem: MemoryInstance, stopAt: number, cursor?: InstanceCursor) {
  mem.resetCounts();
  mem.afterRead = (p) => {
    if (p === stopAt) throw new DOMException('stopped', 'AbortError');
  };
  const walk = new InstanceWalk(mem, options(cursor));
  await expect(walk.run()).rejects.toThrow('stopped');
  mem.afterRead = undefined;
  return walk.partial();
}

/** Every id `mem` holds emitted, over all runs, exactly once (nothing lost, nothing twice). */
function expectEachOnce(mem: MemoryInstance, emitted: Map<string, number>) {
  for (const r of mem.records) expect(emitted.get(r.id), r.id).toBe(1);
}

function tallyInto(total: Map<string, number>, mem: MemoryInstance) {
  for (const [id, states] of mem.emitted) total.set(id, (total.get(id) ?? 0) + states.length);
}

describe('a walk stopped midway leaves a cursor the next run goes on from', () => {
  it('newest-first first run: the hole below what was read is read next, and only it', async () => {
    const mem = new MemoryInstance('newest-first');
    mem.add(500, T0);
    const total = new Map<string, number>();
    const partial = await stoppedWalk(mem, 3);
    tallyInto(total, mem);
    expect(total.size).toBe(100);
    expect(partial?.cursor).toMatchObject({ v: 2, windowEnd: mem.newest, hole: { skip: 100, count: 400 } });
    expect(partial?.cursor.hole?.above).toBeUndefined();
    mem.resetCounts();
    const next = await walkInstance(mem, options(partial?.cursor));
    tallyInto(total, mem);
    expectEachOnce(mem, total);
    expect(next.cursor.hole).toBeUndefined();
    expect(next.cursor).toMatchObject({ v: 1, windowStart: T0, windowEnd: mem.newest });
    expect(next.gap).toBeUndefined();
    // Page 1 to find the edge, then the hole from page 2 on (one page of overlap at most).
    expect(mem.reads.length).toBeLessThanOrEqual(11);
  });

  it('new records arriving between the stop and the resume shift the hole; nothing is skipped', async () => {
    const mem = new MemoryInstance('newest-first');
    mem.add(500, T0);
    const total = new Map<string, number>();
    const partial = await stoppedWalk(mem, 4);
    tallyInto(total, mem);
    mem.add(130, mem.newest + 1000);
    mem.resetCounts();
    const next = await walkInstance(mem, options(partial?.cursor));
    tallyInto(total, mem);
    expectEachOnce(mem, total);
    expect(next.gap).toBeUndefined();
  });

  it('stopped again inside the hole: a smaller hole, then done', async () => {
    const mem = new MemoryInstance('newest-first');
    mem.add(800, T0);
    const total = new Map<string, number>();
    const first = await stoppedWalk(mem, 3);
    tallyInto(total, mem);
    const second = await stoppedWalk(mem, 9, first?.cursor);
    tallyInto(total, mem);
    expect(second?.cursor.hole?.below).toBeLessThan(first?.cursor.hole?.below ?? 0);
    mem.resetCounts();
    const done = await walkInstance(mem, options(second?.cursor));
    tallyInto(total, mem);
    expectEachOnce(mem, total);
    expect(done.cursor.hole).toBeUndefined();
  });

  it('records of the hole that expire before the resume are a gap', async () => {
    const mem = new MemoryInstance('newest-first');
    mem.add(500, T0);
    const partial = await stoppedWalk(mem, 3);
    mem.expireOldest(150);
    const next = await walkInstance(mem, options(partial?.cursor));
    expect(next.gap).toMatchObject({ reason: 'expired-unseen', end: mem.records[0]?.t });
  });

  it('a hole that expired whole while the cap rotated is found gone from the last page, not walked to', async () => {
    const mem = new MemoryInstance('newest-first');
    mem.add(500, T0);
    const partial = await stoppedWalk(mem, 3);
    // The cap rotates: 1,000 new records push out as many old ones; TotalCount stays 500.
    mem.add(1000, T0 + DAY);
    mem.expireOldest(1000);
    mem.resetCounts();
    const next = await walkInstance(mem, options(partial?.cursor));
    // Nothing archived is held any more: a gap from the beginning (the first run's hole) to what is held.
    expect(next.gap).toMatchObject({ start: undefined, end: mem.records[0]?.t });
    expect(next.cursor.hole).toBeUndefined();
    // Page 1, the page where the hole was looked for, the last page (all newer than the hole), then the rest
    // of what is new: 12 reads, where walking to the end from the hole's page took 20.
    expect(mem.reads.length).toBeLessThanOrEqual(13);
  });

  it('where the cap is far, a hole younger than the retention is not looked for on the last page', async () => {
    const mem = new MemoryInstance('newest-first');
    mem.add(1000, T0);
    const first = await walkInstance(mem, options());
    mem.add(400, mem.newest + 1000);
    const partial = await stoppedWalk(mem, 3, first.cursor);
    // 160 new records: the page where the hole is looked for (5) holds only records newer than it.
    mem.add(160, mem.newest + 1000);
    const last = Math.ceil(mem.records.length / 50);
    for (const ageBound of [false, true]) {
      mem.resetCounts();
      const next = await walkInstance(mem, { ...options(partial?.cursor), ageBound, now: () => mem.newest });
      expect(next.gap).toBeUndefined();
      expect(mem.reads.slice(0, 3)).toEqual(ageBound ? [1, 5, 6] : [1, 5, last]);
    }
  });

  it('a last page that new records pushed the hole past is not taken for the end: the hole is read', async () => {
    const mem = new MemoryInstance('newest-first');
    mem.add(500, T0);
    const partial = await stoppedWalk(mem, 3);
    mem.expireOldest(395); // 5 records of the hole are still held
    mem.add(1045, T0 + DAY);
    const hole = mem.records.slice(0, 5).map((r) => r.id);
    mem.resetCounts();
    let added = false;
    mem.afterRead = (p) => {
      // After the page where the hole is looked for, 10 new records push everything down a little.
      if (p === 15 && !added) {
        added = true;
        mem.add(10, T0 + 2 * DAY);
      }
    };
    const next = await walkInstance(mem, options(partial?.cursor));
    mem.afterRead = undefined;
    for (const id of hole) expect(mem.emitted.has(id), id).toBe(true);
    expect(next.gap).toMatchObject({ reason: 'expired-unseen' });
    expect(next.cursor.hole).toBeUndefined();
  });

  it('a hole first looked for too deep steps back; pages read before the step are read again', async () => {
    const mem = new MemoryInstance('newest-first');
    mem.add(600, T0);
    const total = new Map<string, number>();
    const first = await stoppedWalk(mem, 3);
    tallyInto(total, mem);
    mem.add(120, mem.newest + 1000);
    // A rate far above the real one guesses the hole's top pages too deep: the walk steps back up to it,
    // while records keep arriving and push every page down between two reads.
    const cursor = { ...(first?.cursor as InstanceCursor), rate: 100 };
    let reads = 0;
    mem.resetCounts();
    mem.afterRead = () => {
      if (++reads <= 12) mem.add(7, mem.newest + 1000);
    };
    const next = await walkInstance(mem, options(cursor));
    mem.afterRead = undefined;
    tallyInto(total, mem);
    expect(reads).toBeGreaterThan(12);
    // What arrived after page 1 was read is the next run's (those a later page showed are read again).
    mem.resetCounts();
    await walkInstance(mem, options(next.cursor));
    tallyInto(total, mem);
    for (const r of mem.records) expect(total.get(r.id) ?? 0, r.id).toBeGreaterThanOrEqual(1);
  });

  it('stopped after page 2 when records arrived while the hole was read first: none of them is lost', async () => {
    const mem = new MemoryInstance('newest-first');
    mem.add(800, T0);
    const total = new Map<string, number>();
    const first = await stoppedWalk(mem, 5);
    tallyInto(total, mem);
    mem.add(120, mem.newest + 1000);
    // Page 1, then the hole, then page 2, then stopped: more than a page arrived meanwhile, so page 2 holds
    // only records newer than page 1's, and those pushed past it were on no page read.
    let page2 = false;
    mem.resetCounts();
    mem.afterRead = (p) => {
      if (page2 && p === 3) throw new DOMException('stopped', 'AbortError');
      if (p === 2) page2 = true;
      else mem.add(15, mem.newest + 1000);
    };
    const walk = new InstanceWalk(mem, options(first?.cursor));
    await expect(walk.run()).rejects.toThrow('stopped');
    mem.afterRead = undefined;
    tallyInto(total, mem);
    mem.resetCounts();
    const next = await walkInstance(mem, options(walk.partial()?.cursor));
    tallyInto(total, mem);
    expect(next.gap).toBeUndefined();
    for (const r of mem.records) expect(total.get(r.id) ?? 0, r.id).toBeGreaterThanOrEqual(1);
  });

  it('the edge rotated out, the hole read first shows only newer records: they do not count as read from the top', async () => {
    const mem = new MemoryInstance('newest-first');
    mem.add(600, T0);
    const total = new Map<string, number>();
    const first = await stoppedWalk(mem, 3);
    tallyInto(total, mem);
    mem.add(1500, mem.newest + 1000);
    mem.expireOldest(650);
    let page2 = false;
    mem.resetCounts();
    mem.afterRead = (p) => {
      if (page2 && p === 3) throw new DOMException('stopped', 'AbortError');
      if (p === 2) page2 = true;
    };
    const walk = new InstanceWalk(mem, options(first?.cursor));
    await expect(walk.run()).rejects.toThrow('stopped');
    mem.afterRead = undefined;
    tallyInto(total, mem);
    mem.resetCounts();
    await walkInstance(mem, options(walk.partial()?.cursor));
    tallyInto(total, mem);
    for (const r of mem.records) expect(total.get(r.id) ?? 0, r.id).toBeGreaterThanOrEqual(1);
  });

  it('an incremental run stopped before the edge: a hole from the old edge, read next', async () => {
    const mem = new MemoryInstance('newest-first');
    mem.add(487, T0);
    const first = await walkInstance(mem, options());
    const fresh = mem.add(300, mem.newest + 1000);
    const total = new Map<string, number>();
    const partial = await stoppedWalk(mem, 4, first.cursor);
    tallyInto(total, mem);
    expect(partial?.cursor.hole?.above).toBe(first.cursor.windowEnd);
    mem.resetCounts();
    const next = await walkInstance(mem, options(partial?.cursor));
    tallyInto(total, mem);
    for (const r of fresh) expect(total.get(r.id), r.id).toBe(1);
    expect(total.size).toBe(300);
    expect(next).toMatchObject({ joinedPrevious: true });
    expect(next.cursor).toMatchObject({ windowStart: first.cursor.windowStart, windowEnd: mem.newest });
  });

  it('records whose results were being fetched when it stopped are not in the cursor: read again next run', async () => {
    const mem = new MemoryInstance('newest-first', true);
    mem.add(200, T0);
    mem.resetCounts();
    let fetches = 0;
    const fetch = mem.fetchResult?.bind(mem);
    mem.fetchResult = async (id) => {
      if (++fetches === 60) throw new DOMException('stopped', 'AbortError');
      return (await fetch?.(id)) ?? 'later';
    };
    const walk = new InstanceWalk(mem, options());
    await expect(walk.run()).rejects.toThrow('stopped');
    const partial = walk.partial();
    // Page 1 was handed on with its results; page 2 was not.
    expect(mem.emitted.size).toBe(50);
    expect(partial?.cursor.hole).toMatchObject({ skip: 50 });
  });
});

describe('a full walk (`--full`, or a listing found unordered) over a cursor with a hole', () => {
  it('reports the part of the hole that expired unread as a gap, and no join', async () => {
    const mem = new MemoryInstance('newest-first');
    mem.add(100, T0);
    const first = await walkInstance(mem, options());
    mem.add(300, mem.newest + 1000);
    // Stopped on page 3: pages 1 and 2 archived, a hole from the old edge down to the oldest read.
    const partial = await stoppedWalk(mem, 3, first.cursor);
    const hole = partial?.cursor.hole;
    expect(hole?.above).toBe(first.cursor.windowEnd);
    // The old records and the hole's oldest 150 expire; 50 of the hole are still held.
    mem.expireOldest(250);
    mem.resetCounts();
    const full = await walkInstance(mem, { ...options(partial?.cursor), full: true });
    expect(full.joinedPrevious).toBe(false);
    expect(full.gap).toMatchObject({
      start: first.cursor.windowEnd,
      end: mem.records[0]?.t,
      reason: 'expired-unseen',
    });
    expect(full.cursor.hole).toBeUndefined();
    // Nothing expired: a full walk that reaches below the hole joins and reports nothing.
    const again = new MemoryInstance('newest-first');
    again.add(100, T0);
    const c0 = await walkInstance(again, options());
    again.add(300, again.newest + 1000);
    const p2 = await stoppedWalk(again, 3, c0.cursor);
    const whole = await walkInstance(again, { ...options(p2?.cursor), full: true });
    expect(whole.gap).toBeUndefined();
  });
});
