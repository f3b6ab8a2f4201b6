/**
 * The start times of calls within the last `spanMs`, oldest first: the hard ceiling of a budget. A call may
 * start at `t` only if fewer than `cap` others started in `(t - spanMs, t]`, so no window of `spanMs`, wherever
 * it is laid, ever holds more than `cap` starts. (A fixed window, reset every `spanMs`, could admit twice the
 * cap across a reset.)
 */
export class SlidingWindow {
  #starts: number[] = [];
  /** Index of the oldest start still in the window: dropping is a move of this index, not a shift. */
  #head = 0;

  constructor(
    /** Length of the window, ms. */
    readonly spanMs: number,
    /** Starts allowed in any window. */
    readonly cap: number,
  ) {}

  /** The earliest time, `now` or later, at which one more call may start. */
  nextStart(now: number): number {
    this.#drop(now);
    const held = this.#starts.length - this.#head;
    if (held < this.cap) return now;
    // The cap-th most recent start must leave the window first.
    return (this.#starts[this.#starts.length - this.cap] as number) + this.spanMs;
  }

  /** Records a call started at `at` (never earlier than the last one recorded). */
  record(at: number): void {
    this.#starts.push(at);
  }

  /** Calls started after `since`, which must lie within the window. */
  countAfter(since: number): number {
    let n = 0;
    for (let i = this.#starts.length - 1; i >= this.#head && (this.#starts[i] as number) > since; i--) n++;
    return n;
  }

  #drop(now: number): void {
    const out = now - this.spanMs;
    while (this.#head < this.#starts.length && (this.#starts[this.#head] as number) <= out) this.#head++;
    // Compact once the dropped part dominates, so memory follows the window, not the run.
    if (this.#head > 1024 && this.#head * 2 > this.#starts.length) {
      this.#starts = this.#starts.slice(this.#head);
      this.#head = 0;
    }
  }
}
