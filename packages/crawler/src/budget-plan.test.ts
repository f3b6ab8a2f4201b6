import { describe, expect, it } from 'vitest';
import { minimumPagingBudget, type PlannedInstance, planBudgets } from './budget-plan.js';
import { measuredRate, scheduleRegion } from './deadline-schedule.js';
import type { InstanceCursor } from './instance-cursor.js';

const DAY_MIN = 1440;

describe('minimumPagingBudget', () => {
  it('needs a little more than (k + 1)·a / 50 for k equal busy instances: one call more a visit', () => {
    const b = minimumPagingBudget([100, 100, 100], 14 * DAY_MIN, 60, 60);
    expect(b).toBeGreaterThan(8);
    expect(b).toBeLessThan(8.1);
    // At the minimum the crawling time is used up exactly.
    expect(3 / (60 * b) + (3 * 100) / (50 * b - 100)).toBeCloseTo(1, 5);
  });

  it('charges quiet instances one call per check, a check as rarely as their records allow', () => {
    // 10 silent instances, 14-day records, runs every 6 h of up to 6 h: one check per 53 runs each.
    const b = minimumPagingBudget(Array(10).fill(0), 14 * DAY_MIN, 360, 360);
    expect(b).toBeCloseTo(10 / (53 * 360), 6);
  });

  it('charges instances with nothing archived yet a call every run: the crawler cannot defer them', () => {
    // 10 silent instances, 4 of them found empty so far: 4 calls a run (360 min) and 6 per 53 runs.
    const flags = [true, true, true, true, false, false, false, false, false, false];
    const b = minimumPagingBudget(Array(10).fill(0), 14 * DAY_MIN, 360, 360, flags);
    expect(b).toBeCloseTo(4 / 360 + 6 / (53 * 360), 6);
  });

  it('charges an oldest-first listing a call more for each visit that finds new records', () => {
    const newest = minimumPagingBudget([100, 100, 100, 0], 14 * DAY_MIN, 60, 60);
    const oldest = minimumPagingBudget(
      [100, 100, 100, 0],
      14 * DAY_MIN,
      60,
      60,
      [],
      [true, true, true, true],
    );
    // The silent one finds nothing new on its checks: one call each, as newest-first.
    const quiet = 1 / (60 * 333);
    expect(oldest).toBeGreaterThan(newest);
    expect((3 * 2) / (60 * oldest) + quiet / oldest + (3 * 100) / (50 * oldest - 100)).toBeCloseTo(1, 5);
    expect(3 / (60 * newest) + quiet / newest + (3 * 100) / (50 * newest - 100)).toBeCloseTo(1, 5);
  });

  it('grows as runs get shorter: crawling happens only during runs, and drifts as much while it does', () => {
    const all = minimumPagingBudget([20], 14 * DAY_MIN, 360, 360);
    const third = minimumPagingBudget([20], 14 * DAY_MIN, 360, 120);
    // Drift-bound (2a/50 at full time, 4a/50 a third of the time): twice, not three times as much.
    expect(all).toBeCloseTo(0.8, 1);
    expect(third).toBeCloseTo(1.6, 1);
    expect(third).toBeGreaterThan(1.6);
  });
});

describe('planBudgets', () => {
  const fleet = (rates: number[]): PlannedInstance[] =>
    rates.map((ratePerMinute, i) => ({
      account: 'a',
      regionId: 'r',
      instanceId: `i-${i}`,
      ratePerMinute,
      unarchivedSince: 1_000_000 - i * 60_000,
    }));
  const base = {
    retentionMs: 14 * 86_400_000,
    recordCap: 100_000,
    capScope: 'region' as const,
    runEveryMs: 6 * 3_600_000,
    withResults: false,
    now: 1_000_000,
  };

  it('says whether the budget keeps up, and with what headroom', () => {
    const instances = fleet([30, 0.01, 0.01]);
    const min = minimumPagingBudget([30, 0.01, 0.01], 14 * DAY_MIN, 360, 360);
    // A cap that 30 records a minute do not rotate faster than the retention.
    const plan = planBudgets({ ...base, recordCap: 10_000_000, instances, budget: () => 1.2 * min });
    expect(plan.keepsUp).toBe(true);
    expect(plan.headroom).toBeCloseTo(1.2, 5);
    const short = planBudgets({ ...base, recordCap: 10_000_000, instances, budget: () => 0.8 * min });
    expect(short.keepsUp).toBe(false);
    expect(short.regions[0]?.minimum.DescribeInvocations).toBeCloseTo(min, 6);
  });

  it('takes the lifetime from the cap when it rotates faster than the retention, and says when runs are too rare', () => {
    // 125 records a minute against a cap of 100,000: 800 minutes (13.3 h) of life, more than 6 + 6 h of runs.
    const plan = planBudgets({ ...base, instances: fleet([100, 25]), budget: () => 1000 });
    expect(plan.regions[0]?.lifetimeMs).toBeCloseTo(800 * 60_000, -3);
    expect(plan.regions[0]?.problems).toEqual([]);
    const rare = planBudgets({
      ...base,
      runEveryMs: 12 * 3_600_000,
      instances: fleet([100, 25]),
      budget: () => 1000,
    });
    expect(rare.keepsUp).toBe(false);
    expect(rare.regions[0]?.problems[0]).toMatch(/run more often/);
  });

  it('lists instances nearest their deadline first, never-archived ones at the top', () => {
    const instances = [
      ...fleet([1, 1]),
      { account: 'a', regionId: 'r', instanceId: 'new', ratePerMinute: 0 },
    ];
    const plan = planBudgets({ ...base, instances, budget: () => 10 });
    expect(plan.atRisk.map((i) => i.instanceId)).toEqual(['new', 'i-1', 'i-0']);
  });
});

describe('scheduleRegion', () => {
  const cursor = (checkedAt: number, rate: number): InstanceCursor => ({
    ...{ v: 1, order: 'newest-first', windowEnd: checkedAt - 1000, edgeIds: [], pending: [] },
    ...{ missingResults: [], total: 1, checkedAt, rate },
  });
  const hour = 3_600_000;
  const settings = { now: 100 * hour, retentionMs: 24 * hour, recordCap: 1_000_000, runEveryMs: hour };

  it('defers quiet instances that can wait past the next run, and walks busy ones one at a time', () => {
    const cursors: Record<string, InstanceCursor | undefined> = {
      busy: cursor(99 * hour, 5), // 300 a run
      quietOld: cursor(79 * hour, 0.01), // expires at 103 h: due (next run may reach it at 103 h)
      quietNew: cursor(99 * hour, 0.01), // expires at 123 h: can wait
      never: undefined,
    };
    const s = scheduleRegion(Object.keys(cursors), (k) => cursors[k], 5.02, settings);
    // quietOld can wait one run (the next reaches it by 102 h): the busy walk goes first, so that a time
    // limit cuts the quiet check, not the busy walk.
    expect(s.due.map((d) => d.item)).toEqual(['never', 'busy', 'quietOld']);
    expect(s.due.map((d) => d.busy)).toEqual([false, true, false]);
    expect(s.deferred.map((d) => d.item)).toEqual(['quietNew']);
    // One the next run may reach too late goes before the busy walk.
    const urgent: Record<string, InstanceCursor | undefined> = {
      ...cursors,
      quietOld: cursor(77 * hour, 0.01),
    };
    const u = scheduleRegion(Object.keys(urgent), (k) => urgent[k], 5.02, settings);
    expect(u.due.map((d) => d.item)).toEqual(['never', 'quietOld', 'busy']);
    // Without a schedule every instance is due.
    const all = scheduleRegion(Object.keys(cursors), (k) => cursors[k], 5.02, {
      ...settings,
      runEveryMs: undefined,
    });
    expect(all.deferred).toEqual([]);
  });

  it('a busy instance whose walks are all stopped past the edge goes by its edge, not its last walk to the end', () => {
    // `stopped` has not finished a walk for a day, but each run's stopped walk moved its edge: its records
    // are archived up to 99 h. `behind` has a hole from 90 h: it goes first.
    const cursors: Record<string, InstanceCursor> = {
      stopped: { ...cursor(76 * hour, 5), windowEnd: 99 * hour },
      behind: {
        ...cursor(99 * hour, 5),
        hole: { above: 90 * hour, below: 95 * hour, belowIds: [], skip: 300, count: 1500 },
      },
    };
    const s = scheduleRegion(Object.keys(cursors), (k) => cursors[k], 10, settings);
    expect(s.due.map((d) => [d.item, d.deadline])).toEqual([
      ['behind', 114 * hour],
      ['stopped', 123 * hour],
    ]);
  });
});

describe('measuredRate', () => {
  const minute = 60_000;
  const edge: InstanceCursor = {
    ...{ v: 1, order: 'newest-first', edgeIds: [], pending: [], missingResults: [], total: 1 },
  };

  it('counts what is newer than the edge over the time since a walk set it, a stopped walk included', () => {
    // The last walk to the end was 600 min ago; a stopped walk moved the edge 60 min ago: the 120 records
    // newer than that edge came in 60 min, not in 600.
    const previous = { ...edge, windowEnd: 5, checkedAt: 0, ratedAt: 540 * minute };
    expect(measuredRate(previous, 600 * minute, 120, undefined)).toBe(2);
    // A cursor of an older version, without ratedAt: from its last walk to the end.
    const { ratedAt: _, ...older } = previous;
    expect(measuredRate(older, 600 * minute, 120, undefined)).toBeCloseTo(0.2, 6);
  });
});
