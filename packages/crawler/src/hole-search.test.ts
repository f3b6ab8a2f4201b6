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

describe('newest-first: a hole left long ago', () => {
  it('is found gone in a few calls, however far its rate puts it', async () => {
    const mem = new MemoryInstance('newest-first');
    mem.add(100, T0);
    const first = await walkInstance(mem, options());
    mem.add(300, mem.newest + 1000);
    let reads = 0;
    mem.afterRead = () => {
      if (++reads === 3) throw new DOMException('stopped', 'AbortError');
    };
    const walk = new InstanceWalk(mem, options(first.cursor));
    await expect(walk.run()).rejects.toThrow('stopped');
    mem.afterRead = undefined;
    const cursor = { ...(walk.partial()?.cursor as InstanceCursor), rate: 3 };
    expect(cursor.hole).toBeDefined();
    // Ten days later, at 3 records a minute by the rate, the cap holding 1,500: the hole went long ago.
    mem.add(1500, mem.newest + 10 * DAY);
    mem.expireOldest(mem.records.length - 1500);
    mem.resetCounts();
    const next = await walkInstance(mem, options(cursor));
    expect(mem.reads.length).toBeLessThanOrEqual(33);
    expect(next.gap).toMatchObject({ start: cursor.hole?.above, end: mem.records[0]?.t });
    expect(next.cursor.hole).toBeUndefined();
  });
});
