import { fullWalk } from './full-walk.js';
import { type HeldSpan, mergeSpans } from './held-spans.js';
import { hasEdge } from './instance-cursor.js';
import { type InstanceOutcome, partialOutcome } from './instance-outcome.js';
import { newestFirstWalk } from './newest-first-walk.js';
import { noteForward } from './oldest-first-hole.js';
import { firstPageCursor, firstWalkOutcome, outOfOrder } from './oldest-first-start.js';
import { oldestFirstWalk } from './oldest-first-walk.js';
import { isLastPage, type WalkIo } from './page-reader.js';
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
  #w: WalkContext;
  /**
   * Every context this walk read with, the current (`#w`) last: a first walk of an oldest-first listing
   * reads page 1 in one, reads back from the end in another (see `firstPageCursor`), and walks in full in
   * a third if the listing turns out not ordered.
   */
  readonly #contexts: WalkContext[];

  constructor(
    private readonly io: WalkIo,
    options: WalkOptions,
  ) {
    this.#w = new WalkContext(io, options);
    this.#contexts = [this.#w];
  }

  /** Walks the instance (see {@link walkInstance}). */
  async run(): Promise<InstanceOutcome> {
    const w = this.#w;
    const c = w.options.cursor;
    if (!w.options.full && !hasEdge(c)) return this.#firstWalk(w);
    if (w.options.full || !hasEdge(c) || c.order === 'unordered') return fullWalk(w, 1);
    if (c.order === 'oldest-first') return oldestFirstWalk(w, c);
    return newestFirstWalk(w, c);
  }

  /** Page 1 first: an oldest-first listing is then read back from its end, any other walked in full. */
  async #firstWalk(w: WalkContext): Promise<InstanceOutcome> {
    w.phase = 'full';
    const page1 = await w.reader.page(1);
    noteForward(w, page1);
    if (w.reader.order !== 'oldest-first' || isLastPage(1, page1)) return fullWalk(w, 1, page1);
    const seed = firstPageCursor(w, page1);
    const back = this.#use(new WalkContext(this.io, { ...w.options, cursor: seed, seeded: true }));
    // Page 1 as read: read again at the end of the pass, what did not change is not handed on again.
    for (const s of w.reader.seen.values()) back.reader.seen.set(s.id, s);
    const outcome = await oldestFirstWalk(back, seed);
    if (!outOfOrder(back, page1)) return firstWalkOutcome(w, back, seed, outcome);
    // Not ordered after all (page 1 was): what the back pass took as archived by time may not be. Walk
    // every page again, handing on all but what was handed on already, in the state it was.
    const fresh = this.#use(new WalkContext(this.io, w.options));
    for (const s of back.reader.seen.values())
      if (back.edge.mayHaveChanged(s) || w.reader.seen.has(s.id)) fresh.reader.seen.set(s.id, s);
    fresh.reader.missingResults.push(...w.reader.missingResults, ...back.reader.missingResults);
    fresh.reader.order = 'unordered';
    fresh.noteUnordered();
    return fullWalk(fresh, 1);
  }

  #use(w: WalkContext): WalkContext {
    this.#contexts.push(w);
    this.#w = w;
    return w;
  }

  /** Whether this walk asked for the invocation's result already. */
  askedResult(invokeId: string): boolean {
    return this.#contexts.some((w) => w.reader.resultsAsked.has(invokeId));
  }

  /** Records read that are newer than `t` (all of them when `t` is undefined), and the oldest read. */
  newerThan(t: number | undefined): { count: number; oldest?: number } {
    let count = 0;
    let oldest: number | undefined;
    const seen = new Map(this.#contexts.flatMap((w) => [...w.reader.seen]));
    for (const s of seen.values()) {
      if (t === undefined || s.t > t) count++;
      if (oldest === undefined || s.t < oldest) oldest = s.t;
    }
    return { count, oldest };
  }

  /** Spans this walk archived whole, with those the cursor it began from kept (see `HeldSpan`). */
  spans(): HeldSpan[] {
    const read = this.#contexts.flatMap((w) => w.reader.spans);
    const cursor = this.#contexts[0]?.options.cursor;
    // Between a hole's bottom and the edge, the cursor says every record was archived (a gap that runs
    // past the hole to the edge's second is split around it).
    const claimed: HeldSpan[] =
      cursor?.hole && cursor.windowEnd !== undefined ? [[cursor.hole.below, cursor.windowEnd]] : [];
    return mergeSpans([...(cursor?.held ?? []), ...claimed, ...read]);
  }

  /** After {@link run} was stopped: what the walk proved so far (see `partialOutcome`). */
  partial(): InstanceOutcome | undefined {
    const [first, back] = this.#contexts;
    if (!first || !back || this.#contexts.length > 2) return partialOutcome(this.#w);
    // Stopped reading back: a cursor from page 1 (the seed), with a hole from there down to what was read;
    // nothing if what was read shows the listing not ordered.
    first.reader.forgetUnhanded();
    back.reader.forgetUnhanded();
    const page1 = { totalCount: 0, items: [...first.reader.seen.values()] };
    if (outOfOrder(back, page1)) return undefined;
    return partialOutcome(back) ?? partialOutcome(first);
  }
}
