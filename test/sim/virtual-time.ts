import type { Clock } from '@swas-archive/crawler';
import type { RunningEmulator } from '@swas-archive/emulator';
import type { SimTraffic } from './sim-traffic.js';

const DAY = 86_400_000;

interface Timer {
  at: number;
  seq: number;
  /** A timer the crawl keeps beside its work (its time limit, its commit ticker): it never drives time. */
  background: boolean;
  /** A call's virtual latency in the emulator (a request waiting for its answer). */
  latency: boolean;
  fire(): void;
}

/**
 * Virtual time for a simulation: the emulator's clock is frozen and moves only here, so that the same seed
 * gives the same run whatever the machine's load, and a simulated month costs minutes, not days.
 *
 * Time moves when the crawl waits on it and on nothing else: when it sleeps on its clock (`clock`: a
 * budget's pace, a retry's backoff), and while an API call is answered (`latency`, the emulator's
 * `beforeAnswer` hook: every call takes `latencyMs` of virtual time). Then the earliest timer fires, after
 * the traffic due before it was created at its own instants. Real work (HTTP on the loopback, DuckDB
 * staging, commits) takes no virtual time. This holds for a crawl with one worker (`inFlight` 1 for
 * `DescribeInvocations`): one wait at a time, so every step follows from the previous one. The crawl's
 * timers that run beside it (the time limit of `maxDurationMs`, the commit ticker, a month or more with a
 * commit interval of a year) fire only when the worker's own wait goes past them.
 */
export class VirtualTime {
  readonly #timers: Timer[] = [];
  #seq = 0;
  #driving = false;
  /** The time limit of the run under way, ms (its sleep is a background timer). */
  maxDurationMs: number | undefined;

  constructor(
    private readonly emu: RunningEmulator,
    private readonly traffic: SimTraffic,
    private readonly latencyMs: number,
  ) {}

  /** The crawler's clock. */
  readonly clock: Clock = {
    now: () => this.emu.admin.now(),
    sleep: (ms, signal) => this.#wait(ms, signal, { latency: false }),
  };

  /** The emulator's `beforeAnswer`: each call takes `latencyMs` of virtual time. */
  readonly latency = (): Promise<void> => this.#wait(this.latencyMs, undefined, { latency: true });

  /** Moves the clock to `at`, creating the traffic due on the way at its own instants. */
  advanceTo(at: number): void {
    const admin = this.emu.admin;
    for (let due = this.traffic.nextAt(); due <= at; due = this.traffic.nextAt()) {
      if (due > admin.now()) admin.advance(due - admin.now());
      this.traffic.pump();
    }
    if (at > admin.now()) admin.advance(at - admin.now());
  }

  /** Timers still waiting (a settled simulation has none but the crawl's background ones). */
  get pending(): number {
    return this.#timers.length;
  }

  #wait(ms: number, signal: AbortSignal | undefined, kind: { latency: boolean }): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(abortError(signal));
      const background = !kind.latency && (ms === this.maxDurationMs || ms >= 7 * DAY);
      const timer: Timer = {
        at: this.emu.admin.now() + Math.max(0, ms),
        seq: this.#seq++,
        background,
        latency: kind.latency,
        fire: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.#remove(timer);
        reject(abortError(signal));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#timers.push(timer);
      this.#timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      if (!background) void this.#drive();
    });
  }

  #remove(timer: Timer): void {
    const i = this.#timers.indexOf(timer);
    if (i >= 0) this.#timers.splice(i, 1);
  }

  /**
   * While the crawl waits on a timer of its own, fires the earliest timer (the crawl reacts before the
   * next one). A background timer that fires (the time limit) stops the run: calls then waiting for their
   * answer are answered at once (the crawl has abandoned them), so nothing moves the clock after it.
   */
  async #drive(): Promise<void> {
    if (this.#driving) return;
    this.#driving = true;
    try {
      for (;;) {
        await settle();
        if (!this.#timers.some((t) => !t.background)) return;
        const next = this.#timers.shift() as Timer;
        this.advanceTo(next.at);
        next.fire();
        if (!next.background) continue;
        for (const t of this.#timers.filter((x) => x.latency)) {
          this.#remove(t);
          t.fire();
        }
      }
    } finally {
      this.#driving = false;
    }
  }
}

/** Lets the crawl react to what just fired: its promise chains, and any I/O already done. */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise<void>((r) => setImmediate(r));
}

function abortError(signal: AbortSignal | undefined): Error {
  const error = new Error('The operation was aborted', { cause: signal?.reason });
  error.name = 'AbortError';
  return error;
}
