import { describe, expect, it } from 'vitest';
import type { InstanceCursor } from './instance-cursor.js';
import { walkInstance } from './instance-walk.js';
import { MemoryInstance, type ServedOrder } from './testing/memory-instance.js';
import type { WalkOptions } from './walk-context.js';

const T0 = Date.parse('2026-05-01T00:00:00Z');
const SECOND = 1000;
const DAY = 86_400_000;

/** One run of the walk over `mem`, counting afresh. */
function walk(mem: MemoryInstance, cursor?: InstanceCursor, extra: Partial<WalkOptions> = {}) {
  mem.resetCounts();
  return walkInstance(mem, { cursor, full: false, retentionMs: 14 * DAY, maxRevisitPages: 20, ...extra });
}

/** The ids `mem` holds, in any order. */
const heldIds = (mem: MemoryInstance) => new Set(mem.records.map((r) => r.id));

describe('first run: every page, every record once', () => {
  const rows: [ServedOrder, number, number[], string][] = [
    ['newest-first', 0, [1], 'unknown'],
    ['newest-first', 49, [1], 'newest-first'],
    ['newest-first', 50, [1, 2], 'newest-first'],
    ['newest-first', 137, [1, 2, 3], 'newest-first'],
    // Page 1, then back from the end to page 1 again (records the cap rotated onto it would be there).
    ['oldest-first', 137, [1, 3, 2, 1], 'oldest-first'],
    ['unordered', 137, [1, 2, 3], 'unordered'],
  ];
  for (const [order, n, reads, learnt] of rows) {
    it(`${order}, ${n} records: reads ${reads.join(', ')}`, async () => {
      const mem = new MemoryInstance(order);
      const added = mem.add(n, T0);
      const outcome = await walk(mem);
      expect(mem.reads).toEqual(reads);
      expect(new Set(mem.emitted.keys())).toEqual(heldIds(mem));
      expect(mem.duplicates()).toEqual([]);
      expect(outcome).toMatchObject({ fullWalk: true, joinedPrevious: false, records: n });
      expect(outcome.gap).toBeUndefined();
      expect(outcome.cursor).toMatchObject({
        v: 1,
        order: learnt,
        total: n,
        windowStart: added[0]?.t,
        windowEnd: added[n - 1]?.t,
        edgeIds: n > 0 ? [added[n - 1]?.id] : [],
        pending: [],
        missingResults: [],
      });
    });
  }
});

describe('incremental runs', () => {
  for (const order of ['newest-first', 'oldest-first'] as const) {
    it(`${order}: nothing new costs exactly one call and emits nothing`, async () => {
      const mem = new MemoryInstance(order);
      mem.add(487, T0);
      const first = await walk(mem);
      const again = await walk(mem, first.cursor);
      expect(mem.reads).toHaveLength(1);
      expect(mem.emitted.size).toBe(0);
      expect(again).toMatchObject({ joinedPrevious: true, fullWalk: false });
      expect(again.gap).toBeUndefined();
      expect(again.cursor).toEqual(first.cursor);
    });
  }

  const newRows: [ServedOrder, number[]][] = [
    ['newest-first', [1, 2, 3]],
    ['oldest-first', [10, 13, 12, 11, 10]],
  ];
  for (const [order, reads] of newRows) {
    it(`${order}: 120 new records cost a page per 50 (reads ${reads.join(', ')}) and only they are emitted`, async () => {
      const mem = new MemoryInstance(order);
      mem.add(487, T0);
      const first = await walk(mem);
      const fresh = mem.add(120, mem.newest + SECOND);
      const next = await walk(mem, first.cursor);
      expect(mem.reads).toEqual(reads);
      expect(new Set(mem.emitted.keys())).toEqual(new Set(fresh.map((r) => r.id)));
      expect(mem.duplicates()).toEqual([]);
      expect(next).toMatchObject({ joinedPrevious: true, windowStart: first.cursor.windowEnd });
      expect(next.gap).toBeUndefined();
      expect(next.cursor).toMatchObject({
        windowStart: T0,
        windowEnd: mem.newest,
        total: 607,
        edgeIds: [fresh[119]?.id],
      });
    });
  }

  it('a listing found unordered is walked in full, with a note; the next run walks it in full at once', async () => {
    const mem = new MemoryInstance('newest-first');
    mem.add(487, T0);
    const first = await walk(mem);
    mem.order = 'unordered';
    const fresh = mem.add(30, mem.newest + SECOND);
    const second = await walk(mem, first.cursor);
    expect(mem.reads).toEqual(Array.from({ length: 11 }, (_, i) => i + 1));
    expect(new Set(mem.emitted.keys())).toEqual(new Set(fresh.map((r) => r.id)));
    expect(mem.duplicates()).toEqual([]);
    expect(second.notes).toEqual(['the listing is not ordered by creation time: walked every page']);
    expect(second).toMatchObject({ fullWalk: true, joinedPrevious: true });
    expect(second.gap).toBeUndefined();
    expect(second.cursor).toMatchObject({ order: 'unordered', windowEnd: mem.newest, windowStart: T0 });
    const third = await walk(mem, second.cursor);
    expect(mem.reads).toHaveLength(11);
    expect(mem.emitted.size).toBe(0);
    expect(third.notes).toEqual([]);
  });

  it('with `full`, walks every page and emits every record again, but fetches no result twice', async () => {
    const mem = new MemoryInstance('newest-first', true);
    mem.add(120, T0);
    const first = await walk(mem);
    expect(mem.resultFetches).toHaveLength(120);
    const again = await walk(mem, first.cursor, { full: true });
    expect(mem.reads).toEqual([1, 2, 3]);
    expect(new Set(mem.emitted.keys())).toEqual(heldIds(mem));
    expect(mem.resultFetches).toEqual([]);
    expect(again).toMatchObject({ fullWalk: true, joinedPrevious: true });
    expect(again.gap).toBeUndefined();
  });
});

describe('page drift', () => {
  it('newest-first: records inserted between pages are never archived twice, and the next runs get them', async () => {
    const mem = new MemoryInstance('newest-first');
    mem.add(300, T0);
    const atStart = heldIds(mem);
    mem.afterRead = () => mem.add(7, mem.newest + SECOND);
    const emitted = new Map<string, number>();
    const tally = () => {
      for (const [id, states] of mem.emitted) emitted.set(id, (emitted.get(id) ?? 0) + states.length);
    };
    const first = await walk(mem);
    tally();
    // Every record held at the start is read, none twice; no false gap for the records that moved down.
    for (const id of atStart) expect(mem.emitted.get(id)).toHaveLength(1);
    expect(mem.duplicates()).toEqual([]);
    expect(first.gap).toBeUndefined();
    const second = await walk(mem, first.cursor);
    tally();
    expect(mem.duplicates()).toEqual([]);
    expect(second).toMatchObject({ joinedPrevious: true });
    expect(second.gap).toBeUndefined();
    mem.afterRead = undefined;
    const third = await walk(mem, second.cursor);
    tally();
    expect(third).toMatchObject({ joinedPrevious: true });
    expect(third.gap).toBeUndefined();
    // Across the runs, each record held was archived exactly once.
    expect(new Set(emitted.keys())).toEqual(heldIds(mem));
    expect([...emitted.values()].every((n) => n === 1)).toBe(true);
  });

  it('oldest-first: records expiring between pages shift pages up; re-reads still see every record once', async () => {
    const mem = new MemoryInstance('oldest-first');
    mem.add(300, T0);
    const atStart = heldIds(mem);
    let furthest = 0;
    const expireOnNewPage = (pageNumber: number) => {
      if (pageNumber > furthest) mem.expireOldest(5);
      furthest = Math.max(furthest, pageNumber);
    };
    mem.afterRead = expireOnNewPage;
    const first = await walk(mem);
    for (const id of atStart) expect(mem.emitted.get(id)).toHaveLength(1);
    expect(mem.duplicates()).toEqual([]);
    // Incremental, with more expiring as it reads: exactly the new records.
    const fresh = mem.add(120, mem.newest + SECOND);
    furthest = 0;
    const second = await walk(mem, first.cursor);
    expect(new Set(mem.emitted.keys())).toEqual(new Set(fresh.map((r) => r.id)));
    expect(mem.duplicates()).toEqual([]);
    expect(second).toMatchObject({ joinedPrevious: true });
    expect(second.gap).toBeUndefined();
  });
});

describe('gaps', () => {
  const rows: [ServedOrder, number, string][] = [
    ['newest-first', 14 * DAY, 'cap-rotated'],
    ['oldest-first', 14 * DAY, 'cap-rotated'],
    ['newest-first', 200 * SECOND, 'expired-unseen'],
    ['oldest-first', 200 * SECOND, 'expired-unseen'],
  ];
  for (const [order, retentionMs, reason] of rows) {
    it(`${order}, retention ${retentionMs / SECOND} s: no archived record held any more → ${reason}`, async () => {
      const mem = new MemoryInstance(order);
      mem.add(200, T0);
      const first = await walk(mem, undefined, { retentionMs });
      // 300 new records; a cap of 200 keeps only the newest 200, all unarchived.
      mem.add(300, T0 + 1000 * SECOND);
      mem.expireOldest(300);
      const oldestHeld = mem.records[0]?.t;
      const second = await walk(mem, first.cursor, { retentionMs });
      expect(new Set(mem.emitted.keys())).toEqual(heldIds(mem));
      expect(mem.duplicates()).toEqual([]);
      expect(second.gap).toEqual({
        start: T0 + 199 * SECOND,
        end: oldestHeld,
        reason,
        detail: expect.stringContaining('no record archived by the previous run is held any more'),
      });
      expect(second).toMatchObject({ joinedPrevious: false, windowStart: oldestHeld, windowEnd: mem.newest });
      // Continuous coverage restarts after the gap.
      expect(second.cursor.windowStart).toBe(oldestHeld);
    });
  }
});

describe('records last seen running, and results', () => {
  const rows: [ServedOrder, number[]][] = [
    ['newest-first', [1, 2, 3]],
    ['oldest-first', [6, 7, 6, 5, 4]],
  ];
  for (const [order, reads] of rows) {
    it(`${order}: revisited until seen (reads ${reads.join(', ')}), their change emitted, each result fetched once`, async () => {
      const mem = new MemoryInstance(order, true);
      mem.add(300, T0);
      const running = mem.records.slice(180, 190);
      for (const r of running) r.status = 'Running';
      const first = await walk(mem);
      expect(mem.resultFetches).toHaveLength(290);
      expect(mem.resultFetches.some((id) => running.some((r) => r.id === id))).toBe(false);
      expect(first.cursor.pending.map((p) => p.id).sort()).toEqual(running.map((r) => r.id).sort());

      for (const r of running) r.status = 'Success';
      const fresh = mem.add(20, mem.newest + SECOND);
      const second = await walk(mem, first.cursor);
      expect(mem.reads).toEqual(reads);
      const changed = [...running, ...fresh].map((r) => r.id).sort();
      expect([...mem.emitted.keys()].sort()).toEqual(changed);
      for (const r of running) expect(mem.emitted.get(r.id)).toEqual(['Success']);
      expect([...mem.resultFetches].sort()).toEqual(changed);
      expect([...mem.emittedResults].sort()).toEqual(changed);
      expect(second.cursor.pending).toEqual([]);

      const third = await walk(mem, second.cursor);
      expect(mem.reads).toHaveLength(1);
      expect(mem.resultFetches).toEqual([]);
      expect(third.cursor.pending).toEqual([]);
    });
  }

  it('a result that cannot be fetched now is carried in the cursor and fetched by the next run', async () => {
    const mem = new MemoryInstance('newest-first', true);
    mem.add(300, T0);
    const unlucky = [mem.records[40], mem.records[41]].map((r) => r?.id ?? '');
    for (const id of unlucky) mem.failingResults.add(id);
    const first = await walk(mem);
    expect(mem.emittedResults.size).toBe(298);
    expect(first.cursor.missingResults.map((m) => m.id).sort()).toEqual([...unlucky].sort());
    mem.failingResults.clear();
    const second = await walk(mem, first.cursor);
    expect([...mem.resultFetches].sort()).toEqual([...unlucky].sort());
    expect([...mem.emittedResults].sort()).toEqual([...unlucky].sort());
    expect(second.cursor.missingResults).toEqual([]);
  });
});

describe('a very large instance', () => {
  it('walks 500,000 records (no spread of every record into one call), then costs one call', async () => {
    const mem = new MemoryInstance('newest-first');
    mem.add(500_000, T0);
    const first = await walk(mem);
    expect(first.records).toBe(500_000);
    expect(mem.reads).toHaveLength(10_001);
    expect(mem.emitted.size).toBe(500_000);
    expect(first.cursor).toMatchObject({ windowStart: T0, windowEnd: mem.newest, total: 500_000 });
    mem.add(1, mem.newest + SECOND);
    const second = await walk(mem, first.cursor);
    expect(mem.reads).toEqual([1]);
    expect(second).toMatchObject({ joinedPrevious: true, records: 50 });
    expect(second.gap).toBeUndefined();
  });
});
