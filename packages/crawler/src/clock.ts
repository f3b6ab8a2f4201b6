import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Time as the crawler reads and spends it: budgets, backoff sleeps, deadlines and progress. The real clock
 * runs in production; tests inject a fake one so that a minute of budget takes no wall-clock time.
 */
export interface Clock {
  /** Epoch milliseconds now. */
  now(): number;
  /** Resolves after `ms`; rejects as soon as `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** `Date.now()` and Node's timers. */
export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) => sleep(ms, undefined, { signal }),
};
