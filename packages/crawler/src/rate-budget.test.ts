import { describe, expect, it } from 'vitest';
import { RateBudget } from './rate-budget.js';
import { FakeClock, settle } from './testing/fake-clock.js';

const MINUTE = 60_000;

/** A budget on a fake clock, and a call that records when it started. */
function budgetOf(callsPerMinute: number, inFlight: number, safetyMs = 1000) {
  const clock = new FakeClock();
  const budget = new RateBudget({ callsPerMinute, inFlight }, { clock, windowMs: MINUTE, safetyMs });
  const starts: number[] = [];
  const call = () => budget.run(async () => void starts.push(clock.now()));
  return { clock, budget, starts, call };
}

/** The most starts in any window of `span` (a start at exactly `span` after another is in the next window). */
function busiest(starts: readonly number[], span: number): number {
  let most = 0;
  for (let i = 0, j = 0; j < starts.length; j++) {
    while ((starts[j] as number) - (starts[i] as number) >= span) i++;
    most = Math.max(most, j - i + 1);
  }
  return most;
}

describe('RateBudget: the sliding window', () => {
  it('lets a burst up to the budget through at once, then each next call waits for the oldest to leave', async () => {
    const { clock, starts, call } = budgetOf(5, 10);
    const done = Promise.all(Array.from({ length: 12 }, call));
    await clock.runAll();
    await done;
    // Window of 60 s + 1 s safety: the sixth call starts when the first leaves it.
    expect(starts).toEqual([0, 0, 0, 0, 0, 61_000, 61_000, 61_000, 61_000, 61_000, 122_000, 122_000]);
    expect(busiest(starts, 61_000)).toBe(5);
  });

  it('at the edge: the call that would make N+1 in a window waits exactly until the oldest leaves it', async () => {
    const { clock, starts, call } = budgetOf(3, 3);
    await call();
    await clock.advance(30_000);
    await call();
    await clock.advance(20_000);
    await call();
    await clock.advance(5_000); // t = 55 s: three starts in the window already
    const fourth = call();
    const fifth = call();
    await clock.advance(5_999);
    expect(starts).toEqual([0, 30_000, 50_000]);
    await clock.advance(1);
    expect(starts).toEqual([0, 30_000, 50_000, 61_000]);
    await clock.runAll();
    await Promise.all([fourth, fifth]);
    expect(starts).toEqual([0, 30_000, 50_000, 61_000, 91_000]);
  });

  it('never admits more than the budget in any window, whatever the arrivals', async () => {
    const { clock, starts, call } = budgetOf(7, 4, 500);
    const calls: Promise<void>[] = [];
    // Arrivals in bursts and trickles over ten minutes.
    for (let minute = 0; minute < 10; minute++) {
      for (let k = 0; k < (minute % 3 === 0 ? 20 : 3); k++) calls.push(call());
      await clock.advance(MINUTE);
    }
    await clock.runAll();
    await Promise.all(calls);
    expect(starts).toHaveLength(calls.length);
    expect(busiest(starts, MINUTE + 500)).toBe(7);
  });

  it('holds at most `inFlight` calls at once, the others waiting in order', async () => {
    const clock = new FakeClock();
    const budget = new RateBudget(
      { callsPerMinute: 100, inFlight: 2 },
      { clock, windowMs: MINUTE, safetyMs: 0 },
    );
    const release: (() => void)[] = [];
    const started: number[] = [];
    const calls = [0, 1, 2, 3].map((i) =>
      budget.run(() => {
        started.push(i);
        return new Promise<void>((resolve) => release.push(resolve));
      }),
    );
    await settle();
    expect(started).toEqual([0, 1]);
    release.shift()?.();
    await settle();
    expect(started).toEqual([0, 1, 2]);
    for (const r of release.splice(0)) r();
    await settle();
    expect(started).toEqual([0, 1, 2, 3]);
    for (const r of release.splice(0)) r();
    await Promise.all(calls);
    expect(budget.calls).toBe(4);
  });

  it('a call waiting for the window gives up as soon as the run aborts', async () => {
    const { clock, budget, starts, call } = budgetOf(1, 1);
    await call();
    const abort = new AbortController();
    const waiting = budget.run(async () => void starts.push(clock.now()), abort.signal);
    await clock.advance(1000);
    abort.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
    expect(starts).toEqual([0]);
    expect(clock.pending).toBe(0);
  });
});

describe('RateBudget: throttling feedback', () => {
  it('cuts the pace to 90% of what the server accepted, waits out the hint, and recovers 2% a minute', async () => {
    const { clock, budget, starts, call } = budgetOf(100, 1);
    for (let i = 0; i < 50; i++) await call();
    // The 50th call was throttled: the server accepted 49 in its window.
    budget.throttled(5000);
    const rate = Math.floor(49 * 0.9); // 44 a minute
    const next = [call(), call(), call()];
    await clock.runAll();
    await Promise.all(next);
    // The pace at time t (the throttle was at 0): 44 a minute, plus 2% of the budget per minute since.
    const pace = (t: number) => rate + (0.02 * 100 * t) / MINUTE;
    const [a, b, c] = starts.slice(50) as [number, number, number];
    expect(a).toBe(5000); // the retry-after hint
    expect(b - a).toBeCloseTo(MINUTE / pace(a), 6);
    expect(c - b).toBeCloseTo(MINUTE / pace(b), 6);
    // A minute later without throttling, 2% of the budget is back.
    await clock.advance(MINUTE);
    const t = clock.now();
    const later = [call(), call()];
    await clock.runAll();
    await Promise.all(later);
    const [d, e] = starts.slice(53) as [number, number];
    expect(d).toBe(t);
    expect(e - d).toBeCloseTo(MINUTE / pace(d), 6);
    expect(MINUTE / (e - d)).toBeGreaterThan(rate + 2);
  });

  it('pauses one second when the server gives no hint, and is back at the full budget after recovering', async () => {
    const { clock, budget, starts, call } = budgetOf(10, 1);
    await call();
    budget.throttled();
    const next = call();
    await clock.runAll();
    await next;
    expect(starts).toEqual([0, 1000]);
    // 90% of 1 rounds down to 0: the pace never drops below one call a minute; it recovers from there.
    await clock.advance(60 * MINUTE);
    const burst = Promise.all(Array.from({ length: 10 }, call));
    await clock.runAll();
    await burst;
    const last = starts.slice(2);
    expect(new Set(last).size).toBe(1);
  });
});
