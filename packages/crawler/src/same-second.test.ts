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

/**
 * A record created in the same second as `edge` after `edge` was read, placed so that the newest-first
 * listing shows it right after `edge` (records of one second may be listed in any order).
 */
function sameSecondAfter(mem: MemoryInstance, edge: MemoryRecord): MemoryRecord {
  const tie: MemoryRecord = { id: 'inv-tie', t: edge.t, status: 'Success' };
  mem.records.splice(mem.records.indexOf(edge), 0, tie);
  return tie;
}

describe('newest-first: a record of the edge second listed after the edge is read', () => {
  it('an incremental walk goes on past a page whose oldest records are of the edge second', async () => {
    const mem = new MemoryInstance('newest-first');
    mem.add(60, T0);
    const edge = mem.records.at(-1) as MemoryRecord;
    const { cursor } = await walkInstance(mem, options());
    const tie = sameSecondAfter(mem, edge);
    // 49 new records: the edge is the last on page 1, the record of its second the first on page 2.
    mem.add(49, edge.t + 1000);
    mem.resetCounts();
    await walkInstance(mem, options(cursor));
    expect(mem.emitted.has(tie.id)).toBe(true);
    expect(mem.reads).toEqual([1, 2]);
  });

  it("a stopped walk's hole is read past its old edge's second", async () => {
    const mem = new MemoryInstance('newest-first');
    mem.add(60, T0);
    const edge = mem.records.at(-1) as MemoryRecord;
    const first = await walkInstance(mem, options());
    // 199 new records; a run reads two pages of them and stops: a hole from the edge to the oldest read.
    mem.add(199, edge.t + 1000);
    mem.resetCounts();
    let reads = 0;
    mem.afterRead = () => {
      if (++reads === 2) throw new DOMException('stopped', 'AbortError');
    };
    const walk = new InstanceWalk(mem, options(first.cursor));
    await expect(walk.run()).rejects.toThrow('stopped');
    mem.afterRead = undefined;
    const hole = walk.partial()?.cursor.hole;
    expect(hole).toMatchObject({ above: edge.t, aboveIds: [edge.id] });
    // Then a record of the edge's second is listed after it: the edge is the last on page 4, it the first
    // on page 5. The next run reads the hole down to a record older than that second.
    const tie = sameSecondAfter(mem, edge);
    mem.resetCounts();
    const next = await walkInstance(mem, options(walk.partial()?.cursor));
    expect(mem.emitted.has(tie.id)).toBe(true);
    expect(next.cursor.hole).toBeUndefined();
    expect(next.gap).toBeUndefined();
  });
});
