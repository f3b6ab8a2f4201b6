import { describe, expect, it } from 'vitest';
import { RateBudget } from './rate-budget.js';

describe('RateBudget', () => {
  it('admits up to the budget within the window and says how long until the next call', () => {
    const budget = new RateBudget({ perAction: { ListInstances: 3 }, windowMs: 1000 });
    const admit = (at: number) => budget.admit('key', 'cn-hangzhou', 'ListInstances', at);
    expect([admit(0), admit(100), admit(200)]).toEqual([0, 0, 0]);
    expect(admit(300)).toBe(700);
    // The window slides: the call at 0 has left it at 1000, the one at 100 only at 1100.
    expect(admit(1000)).toBe(0);
    expect(admit(1050)).toBe(50);
    expect(admit(1100)).toBe(0);
  });

  it('does not count refused calls', () => {
    const budget = new RateBudget({ default: 1, windowMs: 1000 });
    const admit = (at: number) => budget.admit('key', 'cn-hangzhou', 'DescribeInvocations', at);
    expect(admit(0)).toBe(0);
    expect(admit(500)).toBe(500);
    expect(admit(999)).toBe(1);
    expect(admit(1000)).toBe(0);
  });

  it('keeps a budget per key, region and action, and none for actions without one', () => {
    const budget = new RateBudget({ perAction: { ListInstances: 1 } });
    expect(budget.admit('a', 'cn-hangzhou', 'ListInstances', 0)).toBe(0);
    expect(budget.admit('a', 'cn-hangzhou', 'ListInstances', 1)).toBeGreaterThan(0);
    expect(budget.admit('b', 'cn-hangzhou', 'ListInstances', 1)).toBe(0);
    expect(budget.admit('a', 'cn-shanghai', 'ListInstances', 1)).toBe(0);
    for (let at = 0; at < 100; at++) expect(budget.admit('a', 'cn-hangzhou', 'ListRegions', at)).toBe(0);
  });
});
