import { describe, expect, it } from 'vitest';
import { FaultInjector } from './fault-injector.js';

describe('FaultInjector', () => {
  it('adds the latency of the action, within its jitter', () => {
    const faults = new FaultInjector(1, { actions: { ListRegions: { latencyMs: 100, jitterMs: 20 } } });
    for (let i = 0; i < 50; i++) {
      const { delayMs, fault } = faults.decide('ListRegions');
      expect(delayMs).toBeGreaterThanOrEqual(80);
      expect(delayMs).toBeLessThanOrEqual(120);
      expect(fault).toBeUndefined();
    }
    expect(faults.decide('ListInstances')).toEqual({ delayMs: 0 });
  });

  it('injects scheduled faults on exact calls, per action or over all', () => {
    const faults = new FaultInjector(1, {
      schedule: [
        { action: 'ListInstances', call: 2, fault: 'reset' },
        { call: 4, fault: 'truncate' },
      ],
    });
    const seen = ['ListInstances', 'ListRegions', 'ListInstances', 'ListRegions', 'ListInstances'].map(
      (action) => faults.decide(action).fault ?? 'none',
    );
    expect(seen).toEqual(['none', 'none', 'reset', 'truncate', 'none']);
  });

  it('lets an instance rule override the action and profile, for that instance only', () => {
    const faults = new FaultInjector(1, {
      profile: 'chaos',
      instances: { 'i-broken': { internalError: 1 } },
    });
    for (let i = 0; i < 20; i++)
      expect(faults.decide('DescribeInvocations', 'i-broken').fault).toBe('internal-error');
    faults.reconfigure({});
    expect(faults.decide('DescribeInvocations', 'i-broken')).toEqual({ delayMs: 0 });
  });

  it('decides the same for the same seed and calls', () => {
    const options = { actions: { ListRegions: { reset: 0.2, truncate: 0.2, latencyMs: 5, jitterMs: 5 } } };
    const run = (seed: number) => {
      const faults = new FaultInjector(seed, options);
      return Array.from({ length: 200 }, () => faults.decide('ListRegions'));
    };
    expect(run(8)).toEqual(run(8));
    expect(run(9)).not.toEqual(run(8));
  });
});
