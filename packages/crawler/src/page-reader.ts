import type { Invocation, InvocationResult, Page } from '@swas-archive/client';
import type { CursorEdge } from './cursor-edge.js';
import type { HeldSpan } from './held-spans.js';
import type { PendingRecord } from './instance-cursor.js';
import { type ListingOrder, learnOrder, orderOfPage } from './listing-order.js';
import { newestOf, oldestOf, type RecordKey } from './record-key.js';

/** Records per `DescribeInvocations` page: the API's maximum. */
export const PAGE_SIZE = 50;

/** A result fetch's answer: the result; `gone` (expired since listed: nothing to fetch); `later` (try next run). */
export type ResultFetch = InvocationResult | 'gone' | 'later';

/** All an instance walk reads and writes, as three calls; it never reaches into its caller's state. */
export interface WalkIo {
  /** Reads one page of `DescribeInvocations` (budgeted and retried by the caller). */
  readPage(pageNumber: number): Promise<Page<Invocation>>;
  /**
   * Fetches one invocation's result; absent when the run archives no results. Errors that must stop the
   * run are thrown; any other failure answers `later`.
   */
  fetchResult?(invokeId: string): Promise<ResultFetch>;
  /** Archives records (new ones, and ones whose state may have changed) with the results fetched for them. */
  emit(records: readonly Invocation[], results: ReadonlyMap<string, InvocationResult>): Promise<void>;
}

/** What the walk keeps of a record: enough to order, compare and classify it, not its content. */
export interface Seen extends RecordKey {
  status: string;
  invokeStatus: string;
}

/** What the walk keeps of a page it may look at again. */
export interface PageView {
  totalCount: number;
  items: Seen[];
}

const seenOf = (inv: Invocation): Seen => ({
  id: inv.invokeId,
  t: inv.creationTime.getTime(),
  status: inv.invocationStatus,
  invokeStatus: inv.invokeStatus,
});

/**
 * Reads one instance's pages for a walk: dedupes records by id, hands on what is new or changed (with the
 * results it needs), learns the listing order, and re-reads on drift. Records expiring from the front of an
 * oldest-first listing shift every later page up, so whenever `TotalCount` moves between two reads, the
 * pages before are read again until one holds nothing unseen. (Records arriving at the front of a
 * newest-first listing shift pages down instead: seen twice, deduped by id.)
 */
export class PageReader {
  /** Every record read, by id, in the state last read. */
  readonly seen = new Map<string, Seen>();
  /** Final records whose result could not be fetched this run. */
  readonly missingResults: PendingRecord[] = [];
  /** Ids whose result this walk asked for (fetched, gone, or left for later). */
  readonly resultsAsked = new Set<string>();
  /** Pages read, re-reads included. */
  pages = 0;
  /** `TotalCount` of the last page read in order (re-reads aside). */
  lastTotal?: number;
  /** `TotalCount` and the newest creation time of the first page read: what existed when the walk began. */
  first?: { total: number; newest?: number; newestIds?: string[] };
  order: ListingOrder;
  /** Pages already read, kept for the incremental walks that look at them again (not by full walks). */
  readonly #kept = new Map<number, PageView>();
  /** When each page view was read, in reads of this walk. */
  readonly #readAt = new WeakMap<PageView, number>();
  #reads = 0;
  #keepPages = true;
  /** Records of the page being handed on, with their previous state: not in the archive until it is done. */
  readonly #handing: [id: string, before: Seen | undefined][] = [];

  constructor(
    private readonly io: WalkIo,
    private readonly edge: CursorEdge,
  ) {
    this.order = edge.cursor?.order ?? 'unknown';
  }

  /** Reads page `p`, hands on what is new, and re-reads earlier pages on drift. */
  async page(p: number): Promise<PageView> {
    const page = await this.#read(p);
    const moved = this.lastTotal !== undefined && page.totalCount !== this.lastTotal;
    this.lastTotal = page.totalCount;
    if (moved && p > 1 && this.order !== 'newest-first') {
      // Records expired from the front of an oldest-first listing: what was at the start of this page
      // moved onto the previous one. Read back until a page holds nothing unseen that is not archived
      // (the archived records before the edge were never read this run: unseen, but nothing to find).
      for (let back = p - 1; back >= 1; back--) {
        const before = this.seen.size;
        const view = await this.#read(back);
        if (this.seen.size === before || view.items.every((r) => this.edge.archived(r))) break;
      }
    }
    return page;
  }

  /** Reads page `p` as it is now, without reading back on drift: to find where something lies. */
  async probe(p: number): Promise<PageView> {
    const page = await this.#read(p);
    this.lastTotal = page.totalCount;
    return page;
  }

  /** Page `p` as this walk read it before, or else read now. */
  async cached(p: number): Promise<PageView> {
    return this.#kept.get(p) ?? (await this.page(p));
  }

  /**
   * Page `p`, the one after `previous` in the listing: as kept if it was read after `previous`, else read
   * now. In a newest-first listing new records push every record down, so a page read after the page
   * before it overlaps it; read before it (a walk that stepped back), the records pushed from one to the
   * other in between would be in neither.
   */
  async following(p: number, previous: PageView): Promise<PageView> {
    const kept = this.#kept.get(p);
    const after = this.#readAt.get(previous) ?? Number.POSITIVE_INFINITY;
    if (kept && (this.#readAt.get(kept) ?? Number.NEGATIVE_INFINITY) > after) return kept;
    return this.page(p);
  }

  /**
   * Forgets the records read but not handed on yet (the walk stopped while their results were being
   * fetched): what is left in {@link seen} is exactly what reached the archive side, for a partial cursor.
   */
  forgetUnhanded(): void {
    for (const [id, before] of this.#handing) {
      if (before) this.seen.set(id, before);
      else this.seen.delete(id);
    }
    this.#handing.length = 0;
  }

  /** A full walk reads each page once: keeping pages would only cost memory. */
  stopKeepingPages(): void {
    this.#keepPages = false;
    this.#kept.clear();
  }

  /** Spans this walk archived whole (see `HeldSpan`): a page each, joined where pages followed in order. */
  readonly spans: HeldSpan[] = [];
  /** The last read of each page number, with the span it went into. */
  #spanOf = new Map<number, { span: HeldSpan; page: PageView }>();
  /**
   * The same, with pages that meet at one second joined: what a walk's window claims, which trusts the
   * order of one second's records from one call to the next (see `readDownTo`).
   */
  readonly windowSpans: HeldSpan[] = [];
  #windowSpanOf = new Map<number, { span: HeldSpan; page: PageView }>();

  /**
   * Notes page `p`'s span once its records reached the archive side. It joins the span of the page one
   * nearer the newest records (newest-first: the page before; the oldest-first back pass: the one after),
   * as last read before it, when nothing can lie between the two: it shares a record with it (new records
   * pushed a newest-first listing down, expiry pulled an oldest-first one up, by less than a page), or it
   * holds only older records (nothing moved). Reads of other pages in between change nothing: records
   * only move one way, however long the wait. A page of only newer records moved by more than a page: what
   * lay between is unread. A listing not ordered by creation time shows no span: any noted before it was
   * found so are dropped.
   */
  #noteSpan(p: number, view: PageView): void {
    const step = this.order === 'newest-first' ? 1 : this.order === 'oldest-first' ? -1 : 0;
    if (step === 0) {
      for (const list of [this.spans, this.windowSpans]) list.length = 0;
      this.#spanOf.clear();
      this.#windowSpanOf.clear();
      return;
    }
    const from = oldestOf(view.items);
    const to = newestOf(view.items);
    if (from === undefined || to === undefined) return;
    noteIn(this.spans, this.#spanOf, p, step, view, [from, to], false);
    noteIn(this.windowSpans, this.#windowSpanOf, p, step, view, [from, to], true);
  }

  async #read(p: number): Promise<PageView> {
    const page = await this.io.readPage(p);
    this.pages++;
    const view: PageView = { totalCount: page.totalCount, items: page.items.map(seenOf) };
    this.#readAt.set(view, ++this.#reads);
    if (this.#keepPages) this.#kept.set(p, view);
    if (!this.first) {
      const newest = newestOf(view.items);
      const newestIds = view.items.filter((r) => r.t === newest).map((r) => r.id);
      this.first = { total: page.totalCount, newest, newestIds };
    }
    this.order = learnOrder(this.order, orderOfPage(view.items));
    const fresh: Invocation[] = [];
    for (const [i, inv] of page.items.entries()) {
      const now = view.items[i] as Seen;
      const before = this.seen.get(now.id);
      if (before && before.status === now.status && before.invokeStatus === now.invokeStatus) continue;
      this.seen.set(now.id, now);
      if (before || this.edge.mayHaveChanged(now)) {
        fresh.push(inv);
        this.#handing.push([now.id, before]);
      }
    }
    if (fresh.length > 0) await this.#emit(fresh);
    this.#handing.length = 0;
    this.#noteSpan(p, view);
    return view;
  }

  /** Hands records on, with the results of those that need one (fetched together). */
  async #emit(records: Invocation[]): Promise<void> {
    const results = new Map<string, InvocationResult>();
    const fetchResult = this.io.fetchResult?.bind(this.io);
    if (fetchResult) {
      const wanted = records.filter((r) => this.edge.needsResult(seenOf(r), r.invocationStatus));
      await Promise.all(
        wanted.map(async (r) => {
          const answer = await fetchResult(r.invokeId);
          this.resultsAsked.add(r.invokeId);
          if (answer === 'later') this.missingResults.push({ id: r.invokeId, t: r.creationTime.getTime() });
          else if (answer !== 'gone') results.set(r.invokeId, answer);
        }),
      );
    }
    await this.io.emit(records, results);
  }
}

/** Notes page `p`'s span `[from, to]` in `spans`, joined to the page before it when nothing lies between. */
function noteIn(
  spans: HeldSpan[],
  spanOf: Map<number, { span: HeldSpan; page: PageView }>,
  p: number,
  step: number,
  view: PageView,
  [from, to]: HeldSpan,
  atOneSecond: boolean,
): void {
  const before = spanOf.get(p - step);
  let span: HeldSpan = [from, to];
  if (before && joins(before.page, view, atOneSecond)) {
    span = before.span;
    span[0] = Math.min(span[0], from);
    span[1] = Math.max(span[1], to);
  } else spans.push(span);
  spanOf.set(p, { span, page: view });
}

/**
 * Whether `next`, read after `page` towards older records, leaves nothing between them unread. Two pages
 * that meet at one second never join (unless `atOneSecond`): records of one second may be listed in any
 * order, call to call, so one of that second may have been on neither page when it was read (the span then
 * leaves that second in the gap).
 */
function joins(page: PageView, next: PageView, atOneSecond = false): boolean {
  const [oldest, newest] = [oldestOf(page.items), newestOf(next.items)];
  const [pageNewest, nextOldest] = [newestOf(page.items), oldestOf(next.items)];
  if (oldest === undefined || newest === undefined) return false;
  if (newest < oldest || (atOneSecond && newest === oldest)) return true;
  if (atOneSecond) return next.items.some((r) => page.items.some((q) => q.id === r.id));
  // Overlapping by a second or less: the records they share are of that second.
  if (Math.min(newest, pageNewest ?? newest) <= Math.max(oldest, nextOldest ?? oldest)) return false;
  const ids = new Set(page.items.map((r) => r.id));
  return next.items.some((r) => ids.has(r.id));
}

/** Whether `p` is the last page: empty, or short with nothing beyond it by `TotalCount`. */
export function isLastPage(p: number, page: PageView): boolean {
  if (page.items.length === 0) return true;
  return page.items.length < PAGE_SIZE && p * PAGE_SIZE >= page.totalCount;
}
