import { describe, expect, it } from 'vitest';
import type { InstanceCursor } from './instance-cursor.js';
import { InstanceWalk, walkInstance } from './instance-walk.js';
import { MemoryInstance, type MemoryRecord } from './testing/memory-instance.js';

const T0 = Date.parse('2026-05-01T00:00:00Z');
const DAY = 86_400_000;
const options = (cursor?: InstanceCursor) => ({
  cursor,
  full: false,
  retentionMs: 14 * DAY,
  maxRevisitPages: 20,
});
const rec = (i: number): MemoryRecord => ({ id: `r${i}`, t: T0 + i * 1000, status: 'Success' });
const range = (n: number, f: (i: number) => MemoryRecord) => Array.from({ length: n }, (_, i) => f(i));

// A second reviewer's scenarios, each of which failed before its fix.
describe('first walks and hole searches', () => {
  it('a first walk that finds the listing unordered in its back pass walks every page once more, not twice', async () => {
    const mem = new MemoryInstance('oldest-first');
    const rest = [...range(50, (i) => rec(2 * i + 1)), ...range(950, (i) => rec(100 + i))].sort(
      (a, b) => b.t - a.t,
    );
    mem.records = [...range(50, (i) => rec(2 * i)), ...rest];
    const out = await walkInstance(mem, options());
    // Page 1, the last page and the one before it, then the 21 pages afresh.
    expect(mem.reads.length).toBeLessThanOrEqual(24);
    expect(out.cursor.order).toBe('unordered');
    expect(mem.duplicates()).toEqual([]);
  });

  it('results that could not be fetched before the listing proved unordered stay missing in the cursor', async () => {
    const mem = new MemoryInstance('oldest-first', true);
    mem.records = [
      ...range(50, (i) => rec(2 * i)),
      ...range(50, (i) => rec(2 * i + 1)),
      ...range(100, (i) => rec(100 + i)),
    ];
    mem.failingResults.add('r0');
    mem.failingResults.add('r150');
    const out = await walkInstance(mem, options());
    expect(out.cursor.missingResults.map((r) => r.id).sort()).toEqual(['r0', 'r150']);
  });

  it('a running record of page 1, read again at the end of the back pass, is not handed on twice', async () => {
    const mem = new MemoryInstance('oldest-first');
    mem.add(10, T0, 'Running');
    mem.add(90, T0 + 10_000);
    await walkInstance(mem, options());
    expect(mem.duplicates()).toEqual([]);
  });

  it('a record of page 1 that ended during the back pass of a listing found unordered is handed on once final', async () => {
    const mem = new MemoryInstance('oldest-first');
    mem.records = [
      ...range(50, (i) => rec(2 * i)),
      ...range(50, (i) => rec(2 * i + 1)),
      ...range(100, (i) => rec(100 + i)),
    ];
    (mem.records[0] as MemoryRecord).status = 'Running';
    let n = 0;
    mem.afterRead = () => {
      if (++n === 1) (mem.records[0] as MemoryRecord).status = 'Success';
    };
    await walkInstance(mem, options());
    expect(mem.duplicates()).toEqual([]);
  });

  it('a hole read after the edge, placed past the end of a listing that shrank, costs a few calls', async () => {
    const mem = new MemoryInstance('newest-first');
    mem.add(100, T0);
    const first = await walkInstance(mem, options());
    mem.add(5000, mem.newest + 1000);
    let reads = 0;
    mem.afterRead = () => {
      if (++reads === 90) throw new DOMException('stopped', 'AbortError');
    };
    const walk = new InstanceWalk(mem, options(first.cursor));
    await expect(walk.run()).rejects.toThrow('stopped');
    mem.afterRead = undefined;
    const partial = walk.partial();
    const cursor = partial?.cursor as InstanceCursor;
    // The listing shrinks to 400 records (the hole expired with the old end); 5 new ones: page 1 reaches
    // the edge, and the hole is looked for where it was, 4,450 records down.
    mem.expireOldest(mem.records.length - 400);
    mem.add(5, mem.newest + 1000);
    mem.resetCounts();
    const out = await walkInstance(mem, options(cursor));
    expect(mem.reads.length).toBeLessThanOrEqual(15);
    expect(out.cursor.hole).toBeUndefined();
  });
});

describe('a hole placed past the end of the listing', () => {
  it('runs of 17 calls make progress: none is stopped with the same hole again', async () => {
    const mem = new MemoryInstance('newest-first');
    mem.add(100, T0);
    const first = await walkInstance(mem, options());
    mem.add(5000, mem.newest + 1000);
    let reads = 0;
    mem.afterRead = () => {
      if (++reads === 90) throw new DOMException('stopped', 'AbortError');
    };
    let walk = new InstanceWalk(mem, options(first.cursor));
    await expect(walk.run()).rejects.toThrow('stopped');
    let cursor = walk.partial()?.cursor as InstanceCursor;
    mem.expireOldest(mem.records.length - 400);
    let stopped = 0;
    for (let run = 0; run < 4; run++) {
      mem.add(5, mem.newest + 1000);
      mem.resetCounts();
      reads = 0;
      mem.afterRead = () => {
        if (++reads === 17) throw new DOMException('stopped', 'AbortError');
      };
      walk = new InstanceWalk(mem, options(cursor));
      let done = false;
      try {
        await walk.run();
        done = true;
      } catch {
        // stopped: its partial cursor is kept below
      }
      if (done) break;
      cursor = (walk.partial()?.cursor ?? cursor) as InstanceCursor;
      stopped++;
    }
    expect(stopped).toBeLessThan(4);
  });
});

describe('small listings, stopped on each of their first reads, then walked again', () => {
  for (const order of ['oldest-first', 'newest-first'] as const)
    for (const n of [0, 1, 50, 51, 100, 101])
      for (const stopAt of [0, 1, 2, 3]) {
        it(`${order}, ${n} records, stopped on read ${stopAt}: every record archived, no gap`, async () => {
          const mem = new MemoryInstance(order);
          mem.add(n, T0);
          let reads = 0;
          mem.afterRead = () => {
            if (stopAt > 0 && ++reads === stopAt) throw new DOMException('stopped', 'AbortError');
          };
          const walk = new InstanceWalk(mem, options());
          let cursor: InstanceCursor | undefined;
          try {
            cursor = (await walk.run()).cursor;
          } catch {
            cursor = walk.partial()?.cursor;
          }
          mem.afterRead = undefined;
          const out = await walkInstance(mem, options(cursor));
          expect(mem.records.filter((r) => !mem.emitted.has(r.id))).toEqual([]);
          expect(out.gap).toBeUndefined();
        });
      }
});
