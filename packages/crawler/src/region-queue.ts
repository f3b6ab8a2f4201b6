import type { ScheduledInstance } from './deadline-schedule.js';

/**
 * A region's due instances, handed to its workers nearest deadline first, busy ones one at a time: a busy
 * walk waits for the one in progress, and meanwhile the workers take the next quiet instances.
 */
export class RegionQueue<T> {
  readonly #items: ScheduledInstance<T>[];
  #busyWalking = false;
  #waiting: (() => void)[] = [];

  constructor(items: readonly ScheduledInstance<T>[]) {
    this.#items = [...items];
  }

  /** The next instance to walk, or undefined when none is left (or `stopped()` says so). */
  async take(stopped: () => boolean): Promise<ScheduledInstance<T> | undefined> {
    for (;;) {
      if (stopped() || this.#items.length === 0) return undefined;
      const i = this.#items.findIndex((s) => !s.busy || !this.#busyWalking);
      if (i >= 0) {
        const [next] = this.#items.splice(i, 1) as [ScheduledInstance<T>];
        if (next.busy) this.#busyWalking = true;
        return next;
      }
      // Only busy instances left, and one is being walked: wait for it.
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    }
  }

  /** `taken` is walked (or given up): the next busy one may start. */
  done(taken: ScheduledInstance<T>): void {
    if (!taken.busy) return;
    this.#busyWalking = false;
    for (const wake of this.#waiting.splice(0)) wake();
  }
}
