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

/** One retry about to happen, for a log line: which call, why, and when it runs again. */
export interface RetryNotice {
  action: string;
  regionId: string;
  /** The attempt that failed (1 for the first) and how many are allowed. */
  attempt: number;
  attempts: number;
  /** Wait before the next attempt, ms. */
  waitMs: number;
  /** The error's stable code (`api.unavailable`, `api.throttled`) and what it said. */
  code: string;
  reason: string;
}

/** Everything one call's retries answer to: the policy, the run's counters, its clock and its abort. */
export interface RetryContext {
  options: Required<RetryOptions>;
  counters: CallCounters;
  clock: Clock;
  signal?: AbortSignal;
  /** Told of every retry before its wait. */
  onRetry?: (notice: RetryNotice) => void;
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
  { options, counters, clock, signal, onRetry }: RetryContext,
  where: { action: string; regionId: string } = { action: 'call', regionId: '-' },
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
      onRetry?.({
        ...where,
        attempt,
        attempts: options.attempts,
        waitMs: Math.round(wait),
        code: error.code,
        reason: error.message,
      });
      await clock.sleep(wait, signal);
    }
  }
}
