import { describe, expect, it } from 'vitest';
import { BudgetRegistry, resolveBudgets } from './budget-registry.js';
import type { CrawlProgress } from './crawl-report.js';
import { RunTally } from './run-tally.js';
import { FakeClock } from './testing/fake-clock.js';

function tallyOf() {
  const clock = new FakeClock(Date.parse('2026-05-01T00:00:00Z'));
  const given: CrawlProgress[] = [];
  const feed = { snapshots: 2, skipped: 3, newInvocations: 40, changedInvocations: 5 };
  const budgets = new BudgetRegistry(resolveBudgets(), clock);
  const tally = new RunTally(new Date(clock.now()), {
    budgets,
    feed,
    clock,
    onProgress: (p) => given.push(p),
  });
  return { clock, given, tally };
}

describe('RunTally', () => {
  it('gives progress at most every half second, with an ETA from the pace so far', async () => {
    const { clock, given, tally } = tallyOf();
    tally.instancesTotal = 10;
    tally.progress();
    expect(given).toHaveLength(1);
    expect(given[0]?.etaMs).toBeUndefined();
    await clock.advance(400);
    tally.progress();
    expect(given).toHaveLength(1);
    tally.instancesDone = 4;
    await clock.advance(7_600);
    tally.progress();
    // 4 instances in 8 s: 6 left take 12 s.
    expect(given[1]).toMatchObject({ instancesDone: 4, elapsedMs: 8_000, etaMs: 12_000, recordsNew: 40 });
    tally.progress(true);
    expect(given).toHaveLength(3);
  });

  it('reports partial when anything is incomplete or a gap is new, failed when the run stopped', () => {
    const { tally } = tallyOf();
    expect(tally.outcome(false)).toBe('complete');
    expect(tally.outcome(true)).toBe('failed');
    tally.incomplete.push({ account: 'a', regionId: 'r', instanceId: 'i', reason: 'x' });
    expect(tally.outcome(false)).toBe('partial');
    const report = tally.report({
      runId: 'r1',
      finishedAt: new Date(0),
      outcome: 'partial',
      accounts: ['a'],
    });
    expect(report).toMatchObject({ commits: 2, recordsSkipped: 3, recordsNew: 40, recordsChanged: 5 });
    expect(tally.runRecord(new Date(0), 'partial', ['a'])).toMatchObject({
      instancesIncomplete: 1,
      gapsFound: 0,
    });
  });
});
