import { SwasApiError, ThrottledError } from '@swas-archive/client';
import type { Clock } from './clock.js';
import type { RateBudget } from './rate-budget.js';

/** How transient failures are retried. */
export interface RetryOptions {
  /** Attempts per call, the first included. @default 6 */
  attempts?: number;
  /** Backoff base: attempt n waits a random time up to base × 2^n. @default 500 */
  baseDelayMs?: number;
  /** Longest single wait. @default 30000 */
  maxDelayMs?: number;
}

/** What the retry loop counts over a run. */
export interface CallCounters {
  retries: number;
  throttles: number;
}

/** Everything one call's retries answer to: the policy, the run's counters, its clock and its abort. */
export interface RetryContext {
  options: Required<RetryOptions>;
  counters: CallCounters;
  clock: Clock;
  signal?: AbortSignal;
}

/**
 * Runs one API call through its budget, retrying transient failures (5xx, resets, timeouts, malformed
 * bodies, throttling) with exponential backoff and full jitter, until `attempts` or the `deadline` (epoch
 * ms on the context's clock) run out. Terminal errors are thrown at once.
 */
export async function callWithRetry<T>(
  budget: RateBudget,
  call: () => Promise<T>,
  deadline: number,
  { options, counters, clock, signal }: RetryContext,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await budget.run(call, signal);
    } catch (error) {
      if (!(error instanceof SwasApiError) || !error.transient) throw error;
      let wait = Math.random() * Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
      if (error instanceof ThrottledError) {
        counters.throttles++;
        budget.throttled(error.retryAfterMs);
        wait = Math.max(wait, error.retryAfterMs ?? 0);
      }
      if (attempt >= options.attempts || clock.now() + wait > deadline) throw error;
      counters.retries++;
      await clock.sleep(wait, signal);
    }
  }
}
