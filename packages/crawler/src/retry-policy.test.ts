import { AuthenticationError, ThrottledError, TransientServiceError } from '@swas-archive/client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RateBudget } from './rate-budget.js';
import { callWithRetry, type RetryContext } from './retry-policy.js';
import { FakeClock } from './testing/fake-clock.js';

const details = { action: 'DescribeInvocations', serverCode: 'X' };
const throttled = (retryAfterMs?: number) =>
  new ThrottledError('Throttling.User', { ...details, serverCode: 'Throttling.User' }, retryAfterMs);

/** A call that fails with `failures` in turn, then answers `ok`; it records when each attempt started. */
function flaky(clock: FakeClock, failures: Error[]) {
  const attempts: number[] = [];
  const call = async () => {
    attempts.push(clock.now());
    const failure = failures.shift();
    if (failure) throw failure;
    return 'ok';
  };
  return { attempts, call };
}

function setup(retry: Partial<RetryContext['options']> = {}) {
  const clock = new FakeClock();
  const budget = new RateBudget(
    { callsPerMinute: 1000, inFlight: 4 },
    { clock, windowMs: 60_000, safetyMs: 0 },
  );
  const context: RetryContext = {
    options: { attempts: 6, baseDelayMs: 1, maxDelayMs: 1, ...retry },
    counters: { retries: 0, throttles: 0 },
    clock,
  };
  return { clock, budget, context };
}

describe('callWithRetry', () => {
  it('honours the server’s retry-after: the retry starts no earlier, and the budget pauses too', async () => {
    const { clock, budget, context } = setup();
    const { attempts, call } = flaky(clock, [throttled(5000)]);
    const result = callWithRetry(budget, call, Number.POSITIVE_INFINITY, context);
    await clock.runAll();
    await expect(result).resolves.toBe('ok');
    expect(attempts).toEqual([0, 5000]);
    expect(context.counters).toEqual({ retries: 1, throttles: 1 });
  });

  it('backs off within base × 2^n, capped, for transient failures', async () => {
    const { clock, budget, context } = setup({ baseDelayMs: 100, maxDelayMs: 250 });
    const failures = Array.from({ length: 4 }, () => new TransientServiceError('503', details));
    const { attempts, call } = flaky(clock, failures);
    const result = callWithRetry(budget, call, Number.POSITIVE_INFINITY, context);
    await clock.runAll();
    await expect(result).resolves.toBe('ok');
    const waits = attempts.slice(1).map((t, i) => t - (attempts[i] as number));
    for (const [i, wait] of waits.entries()) expect(wait).toBeLessThanOrEqual(Math.min(250, 100 * 2 ** i));
    expect(context.counters).toEqual({ retries: 4, throttles: 0 });
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('gives up when the next wait would pass the deadline', async () => {
    // Jitter at its middle: each wait is exactly half of min(maxDelayMs, base × 2^n).
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    const { clock, budget, context } = setup({ baseDelayMs: 2000, maxDelayMs: 2000 });
    const { attempts, call } = flaky(
      clock,
      Array.from({ length: 5 }, () => new TransientServiceError('503', details)),
    );
    const result = callWithRetry(budget, call, 2500, context);
    const settled = expect(result).rejects.toBeInstanceOf(TransientServiceError);
    await clock.runAll();
    await settled;
    expect(attempts).toEqual([0, 1000, 2000]);
  });

  it('gives up after `attempts`, and at once on a terminal error', async () => {
    const { clock, budget, context } = setup({ attempts: 3 });
    const transient = flaky(
      clock,
      Array.from({ length: 5 }, () => new TransientServiceError('503', details)),
    );
    const exhausted = expect(callWithRetry(budget, transient.call, Infinity, context)).rejects.toThrow('503');
    await clock.runAll();
    await exhausted;
    expect(transient.attempts).toHaveLength(3);
    const terminal = flaky(clock, [new AuthenticationError('bad secret', details)]);
    await expect(callWithRetry(budget, terminal.call, Infinity, context)).rejects.toThrow('bad secret');
    expect(terminal.attempts).toHaveLength(1);
  });
});
