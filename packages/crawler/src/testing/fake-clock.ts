import type { Clock } from '../clock.js';

interface Timer {
  at: number;
  seq: number;
  fire: () => void;
}

/**
 * A clock that moves only when told. `sleep` registers a timer; `advance` and `runAll` fire timers in time
 * order, letting every promise settle between two, so code that awaits sleeps runs exactly as it would in
 * real time, in no time.
 */
export class FakeClock implements Clock {
  #now: number;
  #seq = 0;
  readonly #timers: Timer[] = [];

  constructor(start = 0) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const timer: Timer = {
        at: this.#now + Math.max(0, ms),
        seq: this.#seq++,
        fire: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.#timers.splice(this.#timers.indexOf(timer), 1);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#timers.push(timer);
    });
  }

  /** Timers waiting. */
  get pending(): number {
    return this.#timers.length;
  }

  /** Moves time forward by `ms`, firing every timer due on the way, in order. */
  async advance(ms: number): Promise<void> {
    const until = this.#now + ms;
    await settle();
    for (let next = this.#earliest(); next && next.at <= until; next = this.#earliest()) {
      this.#fire(next);
      await settle();
    }
    this.#now = until;
    await settle();
  }

  /** Fires timers in order until none is left (or `limit` have fired: a guard against a loop that never ends). */
  async runAll(limit = 100_000): Promise<void> {
    await settle();
    for (let n = 0, next = this.#earliest(); next; n++, next = this.#earliest()) {
      if (n >= limit) throw new Error(`still ${this.#timers.length} timer(s) after ${limit}`);
      this.#fire(next);
      await settle();
    }
  }

  #earliest(): Timer | undefined {
    let best: Timer | undefined;
    for (const t of this.#timers)
      if (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    return best;
  }

  #fire(timer: Timer): void {
    this.#timers.splice(this.#timers.indexOf(timer), 1);
    this.#now = Math.max(this.#now, timer.at);
    timer.fire();
  }
}

/** Lets every pending promise callback run (a macrotask boundary drains the microtask queue). */
export const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
