import { fullWalk } from './full-walk.js';
import { type HeldSpan, mergeSpans } from './held-spans.js';
import { hasEdge } from './instance-cursor.js';
import { type InstanceOutcome, partialOutcome } from './instance-outcome.js';
import { newestFirstWalk } from './newest-first-walk.js';
import { oldestFirstWalk } from './oldest-first-walk.js';
import type { WalkIo } from './page-reader.js';
import { WalkContext, type WalkOptions } from './walk-context.js';

/** Most pages read past the archived edge to see again records last seen not final. */
export const MAX_REVISIT_PAGES = 20;

/**
 * Walks one instance's invocations. With a cursor it reads only what can hold new or changed records: from
 * the newest end of the listing back to the first record already archived (whichever end the API lists
 * first), plus the pages holding records last seen not final. Without one, with `full`, or when the listing
 * is not ordered by creation time, it walks every page. It fetches the results it needs through `io`, and
 * its outcome's cursor carries the ids whose result is still missing.
 */
export function walkInstance(io: WalkIo, options: WalkOptions): Promise<InstanceOutcome> {
  return new InstanceWalk(io, options).run();
}

/** One walk of one instance, which can say what it proved if it is stopped midway. */
export class InstanceWalk {
  readonly #w: WalkContext;

  constructor(io: WalkIo, options: WalkOptions) {
    this.#w = new WalkContext(io, options);
  }

  /** Walks the instance (see {@link walkInstance}). */
  run(): Promise<InstanceOutcome> {
    const w = this.#w;
    const c = w.options.cursor;
    if (w.options.full || !hasEdge(c) || c.order === 'unordered') return fullWalk(w, 1);
    if (c.order === 'oldest-first') return oldestFirstWalk(w, c);
    return newestFirstWalk(w, c);
  }

  /** Whether this walk asked for the invocation's result already. */
  askedResult(invokeId: string): boolean {
    return this.#w.reader.resultsAsked.has(invokeId);
  }

  /** Records read that are newer than `t` (all of them when `t` is undefined), and the oldest read. */
  newerThan(t: number | undefined): { count: number; oldest?: number } {
    let count = 0;
    let oldest: number | undefined;
    for (const s of this.#w.reader.seen.values()) {
      if (t === undefined || s.t > t) count++;
      if (oldest === undefined || s.t < oldest) oldest = s.t;
    }
    return { count, oldest };
  }

  /** Spans this walk archived whole, with those the cursor it began from kept (see `HeldSpan`). */
  spans(): HeldSpan[] {
    return mergeSpans([...(this.#w.options.cursor?.held ?? []), ...this.#w.reader.spans]);
  }

  /** After {@link run} was stopped: what the walk proved so far (see `partialOutcome`). */
  partial(): InstanceOutcome | undefined {
    return partialOutcome(this.#w);
  }
}
