import { type Invocation, isFinalInvocationStatus, type Page } from '@swas-archive/client';
import type { InstanceCursor, ListingOrder, PendingRecord } from './instance-cursor.js';

export const PAGE_SIZE = 50;

/** Why records may be missing between two windows of coverage. */
export type GapReason =
  | 'expired-unseen'
  | 'cap-rotated'
  | 'expired-during-crawl'
  | 'instance-failed'
  | 'released';

/** What one crawl of one instance proved. */
export interface InstanceOutcome {
  cursor: InstanceCursor;
  /** The window this crawl proved complete (creation times, epoch ms), if the instance held anything. */
  windowStart?: number;
  windowEnd?: number;
  /** Whether the window joins the previous run's without a gap. */
  joinedPrevious: boolean;
  gap?: { start?: number; end?: number; reason: GapReason; detail: string };
  pages: number;
  /** Pages read a second time because `TotalCount` moved during the crawl. */
  rereads: number;
  /** Distinct records seen. */
  records: number;
  /** Whether the whole list was walked (first run, `full`, or an unordered listing). */
  fullWalk: boolean;
  notes: string[];
}

/** Everything an instance crawl needs from the crawler. */
export interface InstanceCrawlContext {
  cursor?: InstanceCursor;
  full: boolean;
  /** Reads one page (budgeted and retried by the crawler). */
  readPage: (pageNumber: number) => Promise<Page<Invocation>>;
  /** Receives records to archive: new ones, and ones whose state may have changed. */
  emit: (records: Invocation[]) => Promise<void>;
  /** Ids whose result is still missing after this crawl (the crawler fills it when a fetch fails). */
  missingResults: () => PendingRecord[];
  /** Retention of the service, to tell an expired gap from a rotated cap. */
  retentionMs: number;
  /** Most pages read past the boundary to see again records last seen not final. @default 20 */
  maxRevisitPages?: number;
}

const time = (inv: Invocation) => inv.creationTime.getTime();

/** What the crawl keeps of a record: enough to order, compare and classify it, not its content. */
interface Seen {
  id: string;
  t: number;
  status: string;
  invokeStatus: string;
}

/** What the crawl keeps of a page it may look at again. */
interface PageView {
  totalCount: number;
  items: Seen[];
}

const seenOf = (inv: Invocation): Seen => ({
  id: inv.invokeId,
  t: time(inv),
  status: inv.invocationStatus,
  invokeStatus: inv.invokeStatus,
});

/**
 * Crawls one instance's invocations. With a cursor it reads only what can hold new or changed records:
 * from the newest end of the listing back to the first record already archived (whichever end the API
 * lists first), plus the pages holding records last seen not final. Without one, or with `full`, or when
 * the listing is not ordered by creation time, it walks every page.
 *
 * Drift: records arriving while pages are read shift a newest-first listing down (seen twice, deduped by
 * id); records expiring shift an oldest-first listing up, so whenever `TotalCount` moves between two reads
 * the previous page is read again until it holds nothing unseen.
 */
export class InstanceCrawl {
  readonly #seen = new Map<string, Seen>();
  /** Pages already read, kept by the incremental walks that look at them again (not by full walks). */
  readonly #read = new Map<number, PageView>();
  #keepPages = true;
  readonly #revisit: Map<string, PendingRecord>;
  readonly #notes: string[] = [];
  #order: ListingOrder;
  #pages = 0;
  #rereads = 0;
  #lastTotal?: number;
  #firstTotal?: number;
  #firstMax?: number;

  constructor(private readonly ctx: InstanceCrawlContext) {
    const c = ctx.cursor;
    this.#order = c?.order ?? 'unknown';
    this.#revisit = new Map([...(c?.pending ?? []), ...(c?.missingResults ?? [])].map((p) => [p.id, p]));
  }

  async run(): Promise<InstanceOutcome> {
    const c = this.ctx.cursor;
    if (!c || this.ctx.full || c.order === 'unordered' || c.windowEnd === undefined) return this.#fullWalk(1);
    if (c.order === 'oldest-first') return this.#incrementalOldestFirst(c);
    return this.#incrementalNewestFirst(c);
  }

  // ---- walks -------------------------------------------------------------------------------------

  async #fullWalk(from: number): Promise<InstanceOutcome> {
    this.#keepPages = false;
    this.#read.clear();
    for (let p = from; ; p++) {
      const page = await this.#page(p);
      if (this.#isLast(p, page)) break;
    }
    const seen = [...this.#seen.values()];
    const c = this.ctx.cursor;
    if (c && c.windowEnd !== undefined && seen.length > 0 && !seen.some((s) => this.#archived(s, c))) {
      // A full walk that met no archived record: what lay between the old edge and the oldest record is gone.
      return this.#incrementalOutcome(c, false);
    }
    const outcome = this.#outcome(true, seen.length === 0 ? undefined : Math.min(...seen.map((x) => x.t)));
    // Newest-first: records at the old end that were held when the crawl began may expire before it gets
    // there. Count what existed at the start (created no later than the newest record of the first page).
    if (this.#order === 'newest-first' && this.#firstTotal !== undefined && this.#firstMax !== undefined) {
      const existedAtStart = seen.filter((s) => s.t <= (this.#firstMax as number)).length;
      const lost = this.#firstTotal - existedAtStart;
      if (lost > 0 && !outcome.gap) {
        outcome.gap = {
          start: this.ctx.cursor?.windowEnd,
          end: outcome.windowStart,
          reason: 'expired-during-crawl',
          detail: `${lost} record(s) older than the oldest one read expired while the instance was being crawled`,
        };
      }
    }
    return outcome;
  }

  async #incrementalNewestFirst(c: InstanceCursor): Promise<InstanceOutcome> {
    let boundary = false;
    let boundaryPage = 0;
    for (let p = 1; ; p++) {
      const page = await this.#page(p);
      if (this.#order === 'oldest-first' && p === 1 && !this.#isLast(p, page))
        return this.#incrementalOldestFirst(c);
      if (this.#order === 'unordered') {
        this.#notes.push('the listing is not ordered by creation time: walked every page');
        return this.#fullWalk(p + 1);
      }
      if (!boundary && page.items.some((inv) => this.#archived(inv, c))) {
        boundary = true;
        boundaryPage = p;
      }
      if (this.#isLast(p, page)) break;
      if (boundary && !this.#revisitBeyond(page)) break;
      if (boundary && p - boundaryPage >= (this.ctx.maxRevisitPages ?? 20)) {
        this.#notes.push('some records last seen running lie too deep to revisit this run');
        break;
      }
    }
    return this.#incrementalOutcome(c, boundary);
  }

  async #incrementalOldestFirst(c: InstanceCursor): Promise<InstanceOutcome> {
    // The archived edge was last at position total-1; expiries since then moved it towards the front.
    let q = c.total > 0 ? Math.floor((c.total - 1) / PAGE_SIZE) + 1 : 1;
    let page = this.#read.get(q) ?? (await this.#page(q));
    if (page.items.length === 0 && q > 1) {
      q = Math.max(1, Math.ceil(page.totalCount / PAGE_SIZE));
      page = this.#read.get(q) ?? (await this.#page(q));
    }
    let boundary = page.items.some((inv) => this.#archived(inv, c));
    let low = q;
    // Walk back until a page holds an archived record (or the front of the list is reached).
    while (
      !boundary &&
      low > 1 &&
      page.items.length > 0 &&
      (page.items[0] as Seen).t >= (c.windowEnd as number)
    ) {
      low--;
      page = this.#read.get(low) ?? (await this.#page(low));
      boundary = page.items.some((inv) => this.#archived(inv, c));
    }
    // Records last seen not final are older than the edge: walk further back to them.
    for (let extra = 0; boundary && low > 1 && this.#revisitBeyond(page); extra++) {
      if (extra >= (this.ctx.maxRevisitPages ?? 20)) {
        this.#notes.push('some records last seen running lie too deep to revisit this run');
        break;
      }
      low--;
      page = this.#read.get(low) ?? (await this.#page(low));
    }
    // Then forward from the estimated edge page to the newest end.
    let p = q;
    page = this.#read.get(p) as PageView;
    while (!this.#isLast(p, page)) {
      p++;
      page = this.#read.get(p) ?? (await this.#page(p));
    }
    if (this.#order === 'unordered') {
      this.#notes.push('the listing is not ordered by creation time: walked every page');
      return this.#fullWalk(1);
    }
    return this.#incrementalOutcome(c, boundary);
  }

  // ---- pages ---------------------------------------------------------------------------------------

  /** Reads page `p`, archives what is new, learns the order, and re-reads on drift. */
  async #page(p: number): Promise<PageView> {
    const page = await this.#fetch(p);
    const moved = this.#lastTotal !== undefined && page.totalCount !== this.#lastTotal;
    this.#lastTotal = page.totalCount;
    if (moved && p > 1 && this.#order !== 'newest-first') {
      // Records expired from the front of an oldest-first listing: what was at the start of this page
      // moved onto the previous one. Read back until a page holds nothing unseen.
      for (let back = p - 1; back >= 1; back--) {
        const before = this.#seen.size;
        await this.#fetch(back);
        this.#rereads++;
        if (this.#seen.size === before) break;
      }
    }
    return page;
  }

  async #fetch(p: number): Promise<PageView> {
    const page: Page<Invocation> = await this.ctx.readPage(p);
    this.#pages++;
    const view: PageView = { totalCount: page.totalCount, items: page.items.map(seenOf) };
    if (this.#keepPages) this.#read.set(p, view);
    if (this.#firstTotal === undefined) {
      this.#firstTotal = page.totalCount;
      this.#firstMax = view.items.length > 0 ? Math.max(...view.items.map((x) => x.t)) : undefined;
    }
    this.#learnOrder(view.items);
    const fresh: Invocation[] = [];
    for (const [i, inv] of page.items.entries()) {
      const now = view.items[i] as Seen;
      const before = this.#seen.get(now.id);
      if (before && before.status === now.status && before.invokeStatus === now.invokeStatus) continue;
      this.#seen.set(now.id, now);
      if (before || this.#mayHaveChanged(now)) fresh.push(inv);
    }
    if (fresh.length > 0) await this.ctx.emit(fresh);
    return view;
  }

  /** Whether `p` is the last page: short, and nothing beyond it by `TotalCount`. */
  #isLast(p: number, page: PageView): boolean {
    if (page.items.length === 0) return true;
    return page.items.length < PAGE_SIZE && p * PAGE_SIZE >= page.totalCount;
  }

  #learnOrder(items: readonly Seen[]): void {
    let up = 0;
    let down = 0;
    for (let i = 1; i < items.length; i++) {
      const d = (items[i] as Seen).t - (items[i - 1] as Seen).t;
      if (d > 0) up++;
      else if (d < 0) down++;
    }
    const seen: ListingOrder =
      up > 0 && down > 0 ? 'unordered' : up > 0 ? 'oldest-first' : down > 0 ? 'newest-first' : 'unknown';
    if (seen === 'unknown' || seen === this.#order || this.#order === 'unordered') return;
    this.#order = this.#order === 'unknown' ? seen : 'unordered';
  }

  // ---- record classes ----------------------------------------------------------------------------

  /** A record the archive already holds in its final state (older than the edge, or at it and known). */
  #archived(rec: { id: string; t: number }, c: InstanceCursor): boolean {
    const end = c.windowEnd as number;
    return rec.t < end || (rec.t === end && c.edgeIds.includes(rec.id));
  }

  /** Whether the crawler should fetch this record's result: final, and not archived final before. */
  needsResult(inv: Invocation): boolean {
    if (!isFinalInvocationStatus(inv.invocationStatus)) return false;
    const c = this.ctx.cursor;
    const rec = { id: inv.invokeId, t: time(inv) };
    return !c || c.windowEnd === undefined || !this.#archived(rec, c) || this.#revisit.has(inv.invokeId);
  }

  /** Whether a record read this run may hold something the archive lacks. */
  #mayHaveChanged(rec: Seen): boolean {
    const c = this.ctx.cursor;
    if (!c || this.ctx.full || c.windowEnd === undefined) return true;
    return !this.#archived(rec, c) || this.#revisit.has(rec.id);
  }

  /** Whether records to revisit remain unseen beyond `page`, among older records. */
  #revisitBeyond(page: PageView): boolean {
    if (page.items.length === 0) return false;
    const oldest = Math.min(...page.items.map((x) => x.t));
    for (const r of this.#revisit.values()) if (!this.#seen.has(r.id) && r.t < oldest) return true;
    return false;
  }

  // ---- outcome -----------------------------------------------------------------------------------

  #incrementalOutcome(c: InstanceCursor, boundary: boolean): InstanceOutcome {
    const newer = [...this.#seen.values()].filter((s) => !this.#archived(s, c));
    const oldestNew = newer.length > 0 ? Math.min(...newer.map((x) => x.t)) : undefined;
    const outcome = this.#outcome(boundary, boundary ? c.windowEnd : oldestNew);
    if (!boundary) {
      // Age expiry leaves the oldest record held at the retention horizon; the record cap evicts younger
      // ones. The newest record tells the server's time better than the local clock does.
      const serverNow = Math.max(...[...this.#seen.values()].map((x) => x.t), c.windowEnd as number);
      const rotated = oldestNew !== undefined && oldestNew > serverNow - 0.95 * this.ctx.retentionMs;
      outcome.gap = {
        start: c.windowEnd,
        end: oldestNew,
        reason: rotated ? 'cap-rotated' : 'expired-unseen',
        detail: `no record archived by the previous run is held any more: records created after ${new Date(c.windowEnd as number).toISOString()} and before the oldest one held may have vanished unseen`,
      };
    }
    return outcome;
  }

  #outcome(joined: boolean, windowStart: number | undefined): InstanceOutcome {
    const c = this.ctx.cursor;
    const seen = [...this.#seen.values()];
    const times = seen.map((x) => x.t);
    const newest = times.length > 0 ? Math.max(...times) : undefined;
    const windowEnd = Math.max(newest ?? Number.NEGATIVE_INFINITY, c?.windowEnd ?? Number.NEGATIVE_INFINITY);
    const end = Number.isFinite(windowEnd) ? windowEnd : undefined;
    const stillOpen = (rec: Seen) => !isFinalInvocationStatus(rec.status);
    // Records to revisit: not final now; or last seen not final and not seen this run (kept if they may
    // still be held, i.e. older than anything this crawl reached).
    const oldestReached = times.length > 0 ? Math.min(...times) : Number.POSITIVE_INFINITY;
    const pending: PendingRecord[] = seen.filter(stillOpen).map((s) => ({ id: s.id, t: s.t }));
    for (const r of c?.pending ?? []) {
      if (!this.#seen.has(r.id) && r.t < oldestReached) pending.push(r);
    }
    const missing = this.ctx.missingResults();
    for (const r of c?.missingResults ?? []) {
      if (!this.#seen.has(r.id) && r.t < oldestReached && !missing.some((m) => m.id === r.id))
        missing.push(r);
    }
    const edgeIds = end === undefined ? [] : seen.filter((s) => s.t === end).map((s) => s.id);
    if (end !== undefined && end === c?.windowEnd)
      for (const id of c.edgeIds) if (!edgeIds.includes(id)) edgeIds.push(id);
    const firstRun = !c || c.windowEnd === undefined;
    return {
      cursor: {
        v: 1,
        order: this.#order,
        // The start of continuous coverage: kept while each run joins the last, restarted after a gap.
        windowStart:
          firstRun || !joined
            ? (windowStart ?? (times.length > 0 ? Math.min(...times) : undefined))
            : (c.windowStart ?? windowStart),
        windowEnd: end,
        edgeIds,
        pending,
        missingResults: missing,
        total: this.#lastTotal ?? 0,
      },
      windowStart:
        firstRun || this.ctx.full ? (times.length > 0 ? Math.min(...times) : undefined) : windowStart,
      windowEnd: end,
      joinedPrevious: !firstRun && joined,
      pages: this.#pages,
      rereads: this.#rereads,
      records: this.#seen.size,
      fullWalk: firstRun || this.ctx.full || this.#order === 'unordered',
      notes: this.#notes,
    };
  }
}
