import { setTimeout as sleep } from 'node:timers/promises';
import PQueue from 'p-queue';

/** Limits of one (account, region, action). */
export interface BudgetLimits {
  /** Calls allowed in any 60-second window. */
  callsPerMinute: number;
  /** Calls in flight at once. */
  inFlight: number;
}

/** The budget window: 60 s for Alibaba Cloud's per-minute flow control. */
export const MINUTE = 60_000;

/** What a budget has done so far. */
export interface BudgetStats {
  calls: number;
  throttles: number;
  /** The adaptive rate now, calls per minute (equal to the budget unless throttled recently). */
  currentRate: number;
}

/**
 * The rate budget of one (account, region, action).
 *
 * - A hard ceiling: a p-queue in strict (sliding-window) mode admits at most `callsPerMinute` call starts in
 *   any window of 60 s plus `safetyMs`, so that the server, which counts arrivals, sees at most the budget
 *   in any 60 s even when network latency varies by up to `safetyMs`. (p-queue's default fixed windows could
 *   admit twice the cap across a window boundary.)
 * - At most `inFlight` calls at once.
 * - Adaptive: a throttled answer cuts the pace to 90% of the calls the server accepted in the last
 *   window (multiplicative decrease towards the real limit) and waits out the server's retry-after hint;
 *   each minute without throttling adds 2% of the budget back (additive increase).
 */
export class RateBudget {
  readonly #queue: PQueue;
  readonly #starts: number[] = [];
  #rate: number;
  #rateSince = 0;
  #nextStart = 0;
  #pausedUntil = 0;
  #calls = 0;
  #throttles = 0;

  constructor(
    readonly limits: BudgetLimits,
    safetyMs = 1000,
    private readonly windowMs = MINUTE,
  ) {
    this.#rate = limits.callsPerMinute;
    this.#queue = new PQueue({
      concurrency: limits.inFlight,
      intervalCap: limits.callsPerMinute,
      interval: windowMs + safetyMs,
      strict: true,
    });
  }

  /** Runs `call` when the budget allows it; every attempt (retries too) goes through here. */
  run<T>(call: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    return this.#queue.add(
      async () => {
        await this.#pace(signal);
        const now = Date.now();
        this.#starts.push(now);
        this.#calls++;
        return call();
      },
      { signal },
    ) as Promise<T>;
  }

  /** Tells the budget the server throttled a call; `retryAfterMs` is the server's hint, if any. */
  throttled(retryAfterMs?: number): void {
    const now = Date.now();
    this.#throttles++;
    this.#dropOld(now);
    // The server accepted about this many in its window: settle just under it.
    const accepted = Math.max(1, this.#starts.length - 1);
    this.#rate = Math.max(1, Math.min(this.#currentRate(now), Math.floor(accepted * 0.9)));
    this.#rateSince = now;
    this.#pausedUntil = Math.max(this.#pausedUntil, now + (retryAfterMs ?? 1000));
  }

  get stats(): BudgetStats {
    return {
      calls: this.#calls,
      throttles: this.#throttles,
      currentRate: Math.round(this.#currentRate(Date.now())),
    };
  }

  async #pace(signal?: AbortSignal): Promise<void> {
    for (;;) {
      const now = Date.now();
      const rate = this.#currentRate(now);
      const spacing = rate >= this.limits.callsPerMinute ? 0 : this.windowMs / rate;
      const at = Math.max(this.#pausedUntil, this.#nextStart);
      if (now >= at) {
        this.#nextStart = now + spacing;
        return;
      }
      await sleep(at - now, undefined, { signal });
    }
  }

  #currentRate(now: number): number {
    if (this.#rate >= this.limits.callsPerMinute) return this.limits.callsPerMinute;
    const recovered =
      this.#rate + (0.02 * this.limits.callsPerMinute * (now - this.#rateSince)) / this.windowMs;
    return Math.min(this.limits.callsPerMinute, recovered);
  }

  #dropOld(now: number): void {
    while (this.#starts.length > 0 && (this.#starts[0] as number) <= now - this.windowMs)
      this.#starts.shift();
  }
}
