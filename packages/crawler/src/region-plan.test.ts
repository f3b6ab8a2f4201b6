import type { Instance } from '@swas-archive/client';
import { describe, expect, it } from 'vitest';
import { type InstanceCursor, readCursors } from './instance-cursor.js';
import { planRegion } from './region-plan.js';

const cursor = (windowEnd?: number, releasedAt?: string): InstanceCursor => ({
  v: 1,
  order: 'newest-first',
  windowEnd,
  edgeIds: [],
  pending: [],
  missingResults: [],
  total: 0,
  releasedAt,
});
const instance = (instanceId: string) => ({ instanceId }) as Instance;

describe('planRegion', () => {
  const cursors = readCursors({
    'a/r1/i-old': cursor(1000),
    'a/r1/i-older': cursor(500),
    'a/r1/i-gone': cursor(700),
    'a/r1/i-gone-before': cursor(700, '2026-04-01T00:00:00.000Z'),
    'a/r1/i-unreadable': { v: 2 },
    'a/r2/i-elsewhere': cursor(100),
    'b/r1/i-other-account': cursor(100),
  });

  it('queues never-archived instances first, then those with the oldest edge', () => {
    const listed = ['i-old', 'i-new', 'i-older'].map(instance);
    const plan = planRegion('a', 'r1', listed, cursors, new Set(['i-old', 'i-new', 'i-older']), undefined);
    expect(plan.queue.map((s) => s.item.instanceId)).toEqual(['i-new', 'i-older', 'i-old']);
  });

  it('finds released the instances it knows that no listing shows, once, and only those asked for', () => {
    const listed = new Set(['i-old', 'i-older']);
    const plan = planRegion('a', 'r1', [], cursors, listed, undefined);
    // A cursor it cannot read still says the instance was crawled before.
    expect(plan.released).toEqual(['i-gone', 'i-unreadable']);
    expect(planRegion('a', 'r1', [], cursors, listed, ['i-gone']).released).toEqual(['i-gone']);
  });
});
