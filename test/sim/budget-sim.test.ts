import { describe, expect, it } from 'vitest';
import { runBudgetSim, type SimScenario } from './budget-sim.js';

const H = 3_600_000;

/**
 * A short scheduled-archival simulation (the bench `budget-sim` runs 30 days): one region, 2 busy instances
 * at 3 records a minute and 6 quiet ones at 4 a day, purchases and releases, a region cap of 1,500 records
 * (a busy record lives about 4 h, shorter than the 6-h retention: the cap rotates faster than retention),
 * the archive job hourly for at most 45 min. Warm-up of 5 h (more than a record's lifetime) at a generous
 * budget, then 8 h at a share of the minimum `plan` computes, then one settling run; lost records are
 * counted against the emulator's ground truth. The clock is virtual (see `virtual-time.ts`): the same seed
 * gives the same figures on any machine.
 */
const scenario = (budgetRatio: number, hours = 8): SimScenario => ({
  seed: 11,
  durationMs: hours * H,
  retentionMs: 6 * H,
  recordCap: 1500,
  traffic: {
    busy: { count: 2, perMinute: 3 },
    quiet: { count: 6, perDay: 4 },
    newPerDay: 4,
    releasedPerDay: 2,
  },
  runEveryMs: H,
  maxDurationMs: 45 * 60_000,
  budgetRatio,
  warmupMs: 5 * H,
  warmupBudgetPerMinute: 10,
  budgetWindowMs: 60_000,
});

describe('scheduled archival at a share of the minimum budget', () => {
  it('at 1.2x the minimum nothing expires unarchived; at 0.8x the gaps reported hold every record lost', async () => {
    const high = await runBudgetSim(scenario(1.2));
    const low = await runBudgetSim(scenario(0.8));
    console.info(`budget-sim 1.2x: ${JSON.stringify(high)}\nbudget-sim 0.8x: ${JSON.stringify(low)}`);
    for (const out of [high, low]) {
      expect(out.records).toBeGreaterThan(4000);
      expect(out.archived + out.lost).toBeLessThanOrEqual(out.records);
    }
    expect(high.effectiveRatio).toBeCloseTo(1.2, 3);
    expect(low.effectiveRatio).toBeCloseTo(0.8, 3);
    // Every run of the period was budget-bound: the budget, not the schedule, decided.
    expect(high.callsUsedShare).toBeGreaterThan(0.9);
    expect(low.callsUsedShare).toBeGreaterThan(0.9);
    // Records of an instance released between two runs are lost whatever the budget: reported as gaps.
    expect(high.lostExpired).toBe(0);
    expect(high.lostInGaps).toBe(high.lost);
    // Short of the minimum, records do expire (82 of 4,610 here), and each lies inside a reported gap.
    expect(low.lostExpired).toBeGreaterThan(20);
    expect(low.lostInGaps).toBe(low.lost);
    // And no more: no archived record lies inside a gap still open.
    expect(high.archivedInOpenGaps).toBe(0);
    expect(low.archivedInOpenGaps).toBe(0);
  }, 300_000);

  it('the same seed gives the same figures', async () => {
    const a = await runBudgetSim(scenario(0.8, 2));
    const b = await runBudgetSim(scenario(0.8, 2));
    expect(a.records).toBeGreaterThan(1000);
    expect(b).toEqual(a);
  }, 300_000);
});
