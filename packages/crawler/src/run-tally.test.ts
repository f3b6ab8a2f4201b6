import { describe, expect, it } from 'vitest';
import { BudgetRegistry, resolveBudgets } from './budget-registry.js';
import type { CrawlProgress } from './crawl-report.js';
import { type BudgetBound, RunTally } from './run-tally.js';
import { FakeClock } from './testing/fake-clock.js';

function tallyOf(withResults = false) {
  const clock = new FakeClock(Date.parse('2026-05-01T00:00:00Z'));
  const given: CrawlProgress[] = [];
  const bound: BudgetBound[] = [];
  const feed = { snapshots: 2, skipped: 3, newInvocations: 40, changedInvocations: 5 };
  const budgets = new BudgetRegistry(resolveBudgets(), clock);
  const tally = new RunTally(new Date(clock.now()), {
    budgets,
    feed,
    clock,
    onProgress: (p) => given.push(p),
    onBudgetBound: (b) => bound.push(b),
    withResults,
  });
  return { clock, given, bound, budgets, tally };
}

describe('RunTally', () => {
  it('gives progress at most every half second, with an ETA from the calls left at the budget', async () => {
    const { clock, given, tally } = tallyOf();
    tally.instancesTotal = 10;
    tally.estimate.planned('a', 'r', 0, 10);
    tally.progress();
    expect(given).toHaveLength(1);
    await clock.advance(400);
    tally.progress();
    expect(given).toHaveLength(1);
    // Four walks of every page took 20 pages each; a fifth has read 5 of its 20.
    for (const id of ['i1', 'i2', 'i3', 'i4']) {
      tally.estimate.started('a', 'r', true);
      tally.estimate.finished('a', 'r', id, 20, true);
    }
    tally.estimate.started('a', 'r', true);
    for (let p = 0; p < 5; p++) tally.estimate.pageRead('a', 'r', 'i5', 1000, true);
    tally.instancesDone = 4;
    await clock.advance(7_600);
    tally.progress();
    // 15 pages of i5 and 5 × 20 of those not started: 115 pages at 120 a minute.
    expect(given[1]).toMatchObject({ instancesDone: 4, elapsedMs: 8_000, etaMs: 57_500, recordsNew: 40 });
    tally.progress(true);
    expect(given).toHaveLength(3);
  });

  it('says once when a budget holds the run back, with its calls left and how long they take', async () => {
    const { clock, bound, budgets, tally } = tallyOf(true);
    tally.instancesTotal = 50;
    tally.estimate.planned('a', 'r', 50, 0);
    for (let p = 0; p < 10; p++) tally.estimate.pageRead('a', 'r', 'i1', 60, false);
    for (let r = 0; r < 100; r++) tally.estimate.resultAsked('a', 'r');
    // 300 results asked at a budget of 120 a minute: most of them wait for it.
    const budget = budgets.get('a', 'r', 'DescribeInvocationResult');
    const calls = Array.from({ length: 300 }, () => budget.run(async () => undefined));
    await clock.advance(60_000);
    tally.progress(true);
    await clock.advance(2_000);
    tally.progress(true);
    expect(bound).toHaveLength(1);
    expect(bound[0]).toMatchObject({ action: 'DescribeInvocationResult', callsPerMinute: 120 });
    // 50 instances of one page each (none finished: one page assumed), 10 results a page.
    expect(bound[0]?.callsLeft).toBe(500);
    expect(bound[0]?.etaMs).toBe(250_000);
    await clock.runAll();
    await Promise.all(calls);
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
