/** What is known of one region's work: instances still to crawl, and pages and results read so far. */
interface RegionWork {
  /** Instances not started yet, with and without a cursor (an incremental walk, or a walk of every page). */
  queuedIncremental: number;
  queuedFull: number;
  /** Pages still to read by the walks of every page in progress, from their `TotalCount`. */
  fullInProgress: Map<string, { total: number; read: number }>;
  /** Pages read by finished walks, of each kind, and how many walks: for the average. */
  pagesIncremental: number;
  walksIncremental: number;
  pagesFull: number;
  walksFull: number;
  pagesRead: number;
  resultsAsked: number;
}

/** Calls an account's region still needs, by action, as far as can be told now. */
export interface RegionCallsLeft {
  account: string;
  regionId: string;
  describeInvocations: number;
  describeInvocationResult: number;
}

/** Records per page of `DescribeInvocations`. */
const PAGE = 50;

/**
 * How much work a run has left, in calls, from what it has seen: the pages of walks in progress (from
 * `TotalCount`), the average pages of finished walks for instances not started yet (one until a walk has
 * finished), and results in proportion to pages. An estimate for an honest ETA, not a promise.
 */
export class WorkEstimate {
  readonly #regions = new Map<string, RegionWork>();

  constructor(private readonly withResults: boolean) {}

  /** A region's queue is known: `incremental` instances have a cursor, `full` ones are walked in full. */
  planned(account: string, regionId: string, incremental: number, full: number): void {
    const r = this.#region(account, regionId);
    r.queuedIncremental += incremental;
    r.queuedFull += full;
  }

  /** An instance's walk starts. */
  started(account: string, regionId: string, full: boolean): void {
    const r = this.#region(account, regionId);
    if (full) r.queuedFull = Math.max(0, r.queuedFull - 1);
    else r.queuedIncremental = Math.max(0, r.queuedIncremental - 1);
  }

  /** A page was read; for a walk of every page, `total` is the instance's `TotalCount`. */
  pageRead(account: string, regionId: string, instanceId: string, total: number, full: boolean): void {
    const r = this.#region(account, regionId);
    r.pagesRead++;
    if (!full) return;
    const walk = r.fullInProgress.get(instanceId) ?? { total, read: 0 };
    walk.total = total;
    walk.read++;
    r.fullInProgress.set(instanceId, walk);
  }

  /** A result was asked for. */
  resultAsked(account: string, regionId: string): void {
    this.#region(account, regionId).resultsAsked++;
  }

  /** An instance's walk ended after `pages` pages. */
  finished(account: string, regionId: string, instanceId: string, pages: number, full: boolean): void {
    const r = this.#region(account, regionId);
    r.fullInProgress.delete(instanceId);
    if (full) {
      r.pagesFull += pages;
      r.walksFull++;
    } else {
      r.pagesIncremental += pages;
      r.walksIncremental++;
    }
  }

  /** The calls each region still needs. */
  callsLeft(): RegionCallsLeft[] {
    const out: RegionCallsLeft[] = [];
    for (const [key, r] of this.#regions) {
      const [account = '', regionId = ''] = key.split('\n');
      let pages = 0;
      for (const w of r.fullInProgress.values()) pages += Math.max(0, Math.ceil(w.total / PAGE) - w.read);
      pages += r.queuedIncremental * (r.walksIncremental > 0 ? r.pagesIncremental / r.walksIncremental : 1);
      pages += r.queuedFull * (r.walksFull > 0 ? r.pagesFull / r.walksFull : 1);
      const perPage = r.pagesRead > 0 ? r.resultsAsked / r.pagesRead : 0;
      out.push({
        account,
        regionId,
        describeInvocations: Math.ceil(pages),
        describeInvocationResult: this.withResults ? Math.ceil(pages * perPage) : 0,
      });
    }
    return out;
  }

  #region(account: string, regionId: string): RegionWork {
    const key = `${account}\n${regionId}`;
    let r = this.#regions.get(key);
    if (!r) {
      r = {
        queuedIncremental: 0,
        queuedFull: 0,
        fullInProgress: new Map(),
        pagesIncremental: 0,
        walksIncremental: 0,
        pagesFull: 0,
        walksFull: 0,
        pagesRead: 0,
        resultsAsked: 0,
      };
      this.#regions.set(key, r);
    }
    return r;
  }
}
