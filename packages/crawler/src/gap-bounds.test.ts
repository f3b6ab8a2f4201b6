import type { CoverageRecord } from '@swas-archive/archive';
import { describe, expect, it } from 'vitest';
import { completeCoverage, stoppedCoverage } from './coverage-records.js';
import { splitGap, withSpans } from './held-spans.js';
import type { InstanceCursor } from './instance-cursor.js';
import { InstanceWalk } from './instance-walk.js';
import { MemoryInstance, type MemoryRecord } from './testing/memory-instance.js';

// A reviewer's cases: gaps reported where nothing was lost, reported twice, or over archived records, and
// a loss in no gap. Each failed before its fix.
const T0 = Date.parse('2026-05-01T00:00:00Z');
const where = { account: 'a', regionId: 'r', instanceId: 'i-memory' };
const options = (cursor?: InstanceCursor) => ({
  cursor,
  full: false,
  retentionMs: 14 * 86_400_000,
  maxRevisitPages: 20,
});

/** One walk from `cursor`, stopped on read `stopAt` (0: never), `hook` after each read: its gap parts. */
async function walk(mem: MemoryInstance, cursor?: InstanceCursor, stopAt = 0, hook?: (read: number) => void) {
  mem.resetCounts();
  let reads = 0;
  mem.afterRead = () => {
    reads++;
    hook?.(reads);
    if (reads === stopAt) throw new DOMException('stopped', 'AbortError');
  };
  const w = new InstanceWalk(mem, options(cursor));
  const at = new Date(mem.records.length ? mem.newest + 500 : T0);
  let rows: CoverageRecord[];
  let next: InstanceCursor | undefined;
  try {
    const out = await w.run();
    rows = splitGap(completeCoverage(where, at, out, cursor), w.spans());
    next = withSpans(out.cursor, w.spans());
  } catch (error) {
    if (!(error instanceof DOMException)) throw error;
    const partial = w.partial();
    rows = splitGap(stoppedCoverage(where, at, partial), w.spans());
    const c = partial?.cursor ?? cursor;
    next = c && withSpans(c, w.spans());
  }
  mem.afterRead = undefined;
  const parts = rows
    .filter((r) => r.gapReason)
    .map((r) => [r.gapStart?.getTime() ?? -Infinity, r.gapEnd?.getTime() ?? Infinity] as const);
  return { parts, cursor: next, emitted: new Set(mem.emitted.keys()) };
}

describe('gaps where nothing was lost', () => {
  it('a later walk stopped in a first run’s hole: none', async () => {
    const mem = new MemoryInstance('newest-first');
    mem.add(500, T0);
    const held = mem.records.map((r) => r.id);
    const r1 = await walk(mem, undefined, 5);
    mem.add(10, mem.newest + 1000);
    const r2 = await walk(mem, r1.cursor, 5);
    const r3 = await walk(mem, r2.cursor);
    const archived = new Set([...r1.emitted, ...r2.emitted, ...r3.emitted]);
    expect(held.filter((id) => !archived.has(id))).toEqual([]);
    expect([...r1.parts, ...r2.parts, ...r3.parts]).toEqual([]);
  });

  it('records arriving during a stopped first walk: none', async () => {
    const mem = new MemoryInstance('newest-first');
    mem.add(200, T0);
    const r1 = await walk(mem, undefined, 3, (read) => {
      if (read === 1) mem.add(30, mem.newest + 1000);
    });
    const r2 = await walk(mem, r1.cursor);
    const archived = new Set([...r1.emitted, ...r2.emitted]);
    expect(mem.records.filter((r) => !archived.has(r.id))).toEqual([]);
    expect([...r1.parts, ...r2.parts]).toEqual([]);
  });
});

describe('the second of an edge at the front of the listing', () => {
  it('is a gap once, not again on the next run', async () => {
    const mem = new MemoryInstance('newest-first');
    mem.add(200, T0);
    const edge = mem.newest;
    const r1 = await walk(mem, undefined, 3);
    mem.expireOldest(199);
    const r2 = await walk(mem, r1.cursor);
    expect(r2.parts.filter(([s, e]) => s <= edge && edge <= e)).toHaveLength(1);
    expect((await walk(mem, r2.cursor)).parts).toEqual([]);
  });

  it('a hole’s gap run up to it holds no archived record, however many spans the cursor dropped', async () => {
    // 3 records a second; the first run stops after 130 pages: more spans than a cursor keeps.
    const mem = new MemoryInstance('newest-first');
    const t = (i: number) => T0 + Math.floor(i / 3) * 1000;
    for (let i = 0; i < 7000; i++) mem.records.push({ id: `x${i}`, t: t(i), status: 'Success' });
    const r1 = await walk(mem, undefined, 131);
    mem.expireOldest(mem.records.length - 1);
    const r2 = await walk(mem, r1.cursor);
    const parts = [...r1.parts, ...r2.parts];
    const at = (id: string) => t(Number(id.slice(1)));
    const archived = [...new Set([...r1.emitted, ...r2.emitted])];
    expect(archived.filter((id) => parts.some(([s, e]) => s < at(id) && at(id) < e))).toEqual([]);
  });
});

describe('a first run stopped while records arrive in page 1’s newest second', () => {
  it('counts only what page 1 held of that second: the records that expired meanwhile lie in a gap', async () => {
    const mem = new MemoryInstance('newest-first');
    const N = T0 + 100_000;
    for (let i = 0; i < 40; i++) mem.records.push({ id: `o${i}`, t: T0 + i * 1000, status: 'Success' });
    for (let i = 0; i < 60; i++) mem.records.push({ id: `n${i}`, t: N, status: 'Success' });
    const all = new Map(mem.records.map((r) => [r.id, r.t]));
    const r1 = await walk(mem, undefined, 3, (read) => {
      if (read !== 1) return;
      const ties = Array.from(
        { length: 20 },
        (_, i): MemoryRecord => ({ id: `t${i}`, t: N, status: 'Success' }),
      );
      for (const r of ties) all.set(r.id, r.t);
      mem.records.splice(50, 0, ...ties);
      mem.expireOldest(10);
    });
    const r2 = await walk(mem, r1.cursor);
    const parts = [...r1.parts, ...r2.parts];
    const archived = new Set([...r1.emitted, ...r2.emitted]);
    const lost = [...all].filter(([id]) => !archived.has(id));
    expect(lost).toHaveLength(10);
    expect(lost.filter(([, t]) => !parts.some(([s, e]) => s <= t && t <= e))).toEqual([]);
  });
});
