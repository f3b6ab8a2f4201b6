import type { Clock } from './clock.js';
import { InFlightSlots, untilAborted } from './in-flight-slots.js';
import { SlidingWindow } from './sliding-window.js';

/** Limits of one (account, region, action). */
export interface BudgetLimits {
  /** Calls allowed in any window (60 s unless `windowMs` says otherwise). */
  callsPerMinute: number;
  /** Calls in flight at once. */
  inFlight: number;
}

/** The budget window: 60 s for Alibaba Cloud's per-minute flow control. */
export const MINUTE = 60_000;

/** How long a throttled budget pauses when the server gives no retry-after hint. */
const PAUSE_WITHOUT_HINT_MS = 1000;

/** How a {@link RateBudget} measures time. */
export interface RateBudgetTiming {
  clock: Clock;
  /** Length of the budget window, ms (Alibaba Cloud counts per minute). */
  windowMs: number;
  /** Added to the window of the hard ceiling, so that latency jitter cannot make the server see more. */
  safetyMs: number;
}

/**
 * The rate budget of one (account, region, action).
 *
 * - A hard ceiling: at most `callsPerMinute` call starts in any window of `windowMs + safetyMs`, so that the
 *   server, which counts arrivals, sees at most the budget in any `windowMs` even when network latency
 *   varies by up to `safetyMs`.
 * - At most `inFlight` calls at once, served in order.
 * - Adaptive: a throttled answer cuts the pace to 90% of the calls the server accepted in the last
 *   window (multiplicative decrease towards the real limit) and waits out the server's retry-after hint;
 *   each minute without throttling adds 2% of the budget back (additive increase).
 */
export class RateBudget {
  readonly #slots: InFlightSlots;
  readonly #window: SlidingWindow;
  readonly #clock: Clock;
  readonly #windowMs: number;
  /** The adaptive pace, calls per window: the budget unless throttled recently. */
  #rate: number;
  #rateSince = 0;
  #nextStart = 0;
  #pausedUntil = 0;
  #calls = 0;
  #throttles = 0;
  #waitedMs = 0;

  constructor(
    readonly limits: BudgetLimits,
    timing: RateBudgetTiming,
  ) {
    this.#slots = new InFlightSlots(limits.inFlight);
    this.#window = new SlidingWindow(timing.windowMs + timing.safetyMs, limits.callsPerMinute);
    this.#clock = timing.clock;
    this.#windowMs = timing.windowMs;
    this.#rate = limits.callsPerMinute;
  }

  /** Calls started so far. */
  get calls(): number {
    return this.#calls;
  }

  /** Answers the server throttled. */
  get throttles(): number {
    return this.#throttles;
  }

  /** Time calls spent waiting for the budget (its window, its pace, a throttle's pause), ms, summed. */
  get waitedMs(): number {
    return this.#waitedMs;
  }

  /** The pace now, calls per window: the budget, or less while recovering from throttling. */
  get rate(): number {
    return this.#currentRate(this.#clock.now());
  }

  /** Runs `call` when the budget allows it; every attempt (retries too) goes through here. */
  async run<T>(call: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.#slots.acquire(signal);
    try {
      await this.#admit(signal);
      this.#calls++;
      return await untilAborted(call(), signal);
    } finally {
      this.#slots.release();
    }
  }

  /** Tells the budget the server throttled a call; `retryAfterMs` is the server's hint, if any. */
  throttled(retryAfterMs?: number): void {
    const now = this.#clock.now();
    this.#throttles++;
    // The server accepted about this many in its window: settle just under it.
    const accepted = Math.max(1, this.#window.countAfter(now - this.#windowMs) - 1);
    this.#rate = Math.max(1, Math.min(this.#currentRate(now), Math.floor(accepted * 0.9)));
    this.#rateSince = now;
    this.#pausedUntil = Math.max(this.#pausedUntil, now + (retryAfterMs ?? PAUSE_WITHOUT_HINT_MS));
  }

  /** Waits until the ceiling, the pace and any pause all allow a start, and records it. */
  async #admit(signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      const now = this.#clock.now();
      const at = Math.max(this.#pausedUntil, this.#nextStart, this.#window.nextStart(now));
      if (now >= at) {
        this.#window.record(now);
        const rate = this.#currentRate(now);
        this.#nextStart = now + (rate >= this.limits.callsPerMinute ? 0 : this.#windowMs / rate);
        return;
      }
      this.#waitedMs += at - now;
      await this.#clock.sleep(at - now, signal);
    }
  }

  #currentRate(now: number): number {
    if (this.#rate >= this.limits.callsPerMinute) return this.limits.callsPerMinute;
    const recovered =
      this.#rate + (0.02 * this.limits.callsPerMinute * (now - this.#rateSince)) / this.#windowMs;
    return Math.min(this.limits.callsPerMinute, recovered);
  }
}
