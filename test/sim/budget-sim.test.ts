import { describe, expect, it } from 'vitest';
import { runBudgetSim, type SimScenario } from './budget-sim.js';

const H = 3_600_000;

/**
 * A short scheduled-archival simulation (the bench `budget-sim` runs the long one): one region, 2 busy
 * instances at 3 records a minute and 6 quiet ones at 4 a day, purchases and releases, a region cap of
 * 1,500 records (a busy record lives about 4 h, shorter than the 6-h retention), the archive job hourly for
 * at most 45 min. Warm-up of 5 h (more than a record's lifetime) at a generous budget, then 8 h at a share
 * of the minimum `plan` computes, then one settling run; lost records are counted against the emulator's
 * ground truth.
 */
const scenario = (budgetRatio: number): SimScenario => ({
  seed: 11,
  durationMs: 8 * H,
  speed: 5000,
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
  budgetWindowMs: 20 * 60_000,
});

/*
 * Not asserted, because they do not hold reliably yet (see the issue-14 note): at 1.2x, zero lost (measured
 * with the settling run: 0 of 4,605, budget as enforced 1.129x; before it, 22 of 4,813); at 0.8x, gaps
 * covering exactly the records lost (measured: 1,116 of 1,126 lost inside gaps, 415 archived records inside
 * open gaps). What is asserted holds whatever the schedule: the accounting adds up, and a bigger budget
 * loses no more.
 */
describe('scheduled archival at a share of the minimum budget', () => {
  it('1.2x loses no more than 0.8x, and every figure is consistent with the ground truth', async () => {
    const high = await runBudgetSim(scenario(1.2));
    const low = await runBudgetSim(scenario(0.8));
    console.info(`budget-sim 1.2x: ${JSON.stringify(high)}\nbudget-sim 0.8x: ${JSON.stringify(low)}`);
    for (const out of [high, low]) {
      expect(out.records).toBeGreaterThan(1000);
      expect(out.archived + out.lost).toBeLessThanOrEqual(out.records);
      expect(out.lostInGaps).toBeLessThanOrEqual(out.lost);
      expect(out.lostUnseen).toBeLessThanOrEqual(out.lost);
    }
    expect(low.effectiveRatio).toBeLessThan(high.effectiveRatio);
    expect(high.lost).toBeLessThanOrEqual(low.lost);
  }, 600_000);
});
