import type { CoverageRecord, RunRecord } from '@swas-archive/archive';
import type { Action, BudgetRegistry } from './budget-registry.js';
import type { Clock } from './clock.js';
import type { CrawlProgress, CrawlReport, IncompleteInstance, RegionProgress } from './crawl-report.js';
import type { InstanceRef } from './instance-ref.js';
import type { LateResultCounts } from './late-results.js';
import type { CallCounters } from './retry-policy.js';
import type { FeedTotals } from './snapshot-feeder.js';
import { WorkEstimate } from './work-estimate.js';

/** How often progress is given at most, ms. */
const PROGRESS_EVERY_MS = 500;

/** Where the tally reads what others count: calls by the budgets, commits by the feeder. */
export interface TallySources {
  budgets: BudgetRegistry;
  feed: FeedTotals;
  clock: Clock;
  onProgress: (progress: CrawlProgress) => void;
  /** Told once per action when its budget, not the service, is what the run waits for. */
  onBudgetBound?: (notice: BudgetBound) => void;
  /** Whether the run fetches results (they count in the ETA). */
  withResults: boolean;
}

/** A budget that holds the run back: waited for more than half of the time. */
export interface BudgetBound {
  action: Action;
  callsPerMinute: number;
  /** Calls of this action still to make, summed over regions, and how long they take at the budget. */
  callsLeft: number;
  etaMs: number;
}

/** A budget waited for this share of the run's time holds the run back. */
const BOUND_SHARE = 0.5;
/** Before this much time, waits say little. */
const BOUND_AFTER_MS = 20_000;

/** What a run counts as it goes, and the three views of it: progress with an ETA, the run row, the report. */
export class RunTally {
  /** Retries and throttles, counted by the retry loop. */
  readonly counters: CallCounters = { retries: 0, throttles: 0 };
  instancesTotal = 0;
  instancesDone = 0;
  instancesComplete = 0;
  /** Records read so far, new and seen again. */
  recordsSeen = 0;
  readonly incomplete: IncompleteInstance[] = [];
  readonly released: InstanceRef[] = [];
  /** Instances whose walk the run stopped midway (their partial cursor is committed). */
  readonly stopped: InstanceRef[] = [];
  /** Results fetched for invocations archived without one. */
  readonly lateResults: LateResultCounts = { fetched: 0, expired: 0, left: 0 };
  /** The work left, for the ETA. */
  readonly estimate: WorkEstimate;
  readonly #boundTold = new Set<Action>();
  readonly gaps: CoverageRecord[] = [];
  #lastProgress = 0;
  /** Instances planned and done, per account and region (`account\nregion`). */
  readonly #regions = new Map<string, { total: number; done: number }>();

  /** A region's instances are known: `n` to crawl (or record as released). */
  planned(account: string, regionId: string, n: number): void {
    this.instancesTotal += n;
    const r = this.#regions.get(`${account}\n${regionId}`) ?? { total: 0, done: 0 };
    r.total += n;
    this.#regions.set(`${account}\n${regionId}`, r);
  }

  /** One instance of a region is done (complete, failed, released or stopped). */
  done(account: string, regionId: string): void {
    this.instancesDone++;
    const r = this.#regions.get(`${account}\n${regionId}`);
    if (r) r.done++;
  }

  /** Where each region stands: instances, calls, throttles and budget waits. */
  #regionProgress(): RegionProgress[] {
    const pressure = this.sources.budgets.pressure();
    return [...this.#regions.entries()].map(([key, r]) => {
      const [account = '', regionId = ''] = key.split('\n');
      const mine = pressure.filter((p) => p.account === account && p.regionId === regionId);
      return {
        account,
        regionId,
        instancesDone: r.done,
        instancesTotal: r.total,
        calls: mine.reduce((n, p) => n + p.calls, 0),
        throttles: mine.reduce((n, p) => n + p.throttles, 0),
        budgetWaitMs: mine.reduce((n, p) => n + p.waitedMs, 0),
      };
    });
  }

  constructor(
    private readonly startedAt: Date,
    private readonly sources: TallySources,
  ) {
    this.estimate = new WorkEstimate(sources.withResults);
  }

  /** Adds one instance's late results to the run's. */
  addLateResults(counts: LateResultCounts): void {
    this.lateResults.fetched += counts.fetched;
    this.lateResults.expired += counts.expired;
    this.lateResults.left += counts.left;
  }

  /** `failed` when the run stopped, else `partial` when anything is incomplete or a gap is new. */
  outcome(stopped: boolean): CrawlReport['outcome'] {
    if (stopped) return 'failed';
    return this.incomplete.length > 0 || this.gaps.length > 0 ? 'partial' : 'complete';
  }

  /** Gives progress, at most every half second unless `force`. */
  progress(force = false): void {
    const now = this.sources.clock.now();
    if (!force && now - this.#lastProgress < PROGRESS_EVERY_MS) return;
    this.#lastProgress = now;
    const elapsedMs = now - this.startedAt.getTime();
    this.sources.onProgress({
      instancesTotal: this.instancesTotal,
      instancesDone: this.instancesDone,
      callsByAction: this.sources.budgets.callsByAction(),
      recordsSeen: this.recordsSeen,
      recordsNew: this.sources.feed.newInvocations,
      recordsChanged: this.sources.feed.changedInvocations,
      throttles: this.counters.throttles,
      retries: this.counters.retries,
      elapsedMs,
      etaMs: this.instancesTotal > 0 ? this.#eta(elapsedMs) : undefined,
      regions: this.#regionProgress(),
    });
  }

  /**
   * Time left: the slowest region's calls left of each action at the pace it gets (its budget when calls
   * wait for it, else the pace seen so far), the slowest action deciding. Says once per action when its
   * budget is what the run waits for.
   */
  #eta(elapsedMs: number): number {
    const pressure = this.sources.budgets.pressure();
    const left = this.estimate.callsLeft();
    let eta = 0;
    const byAction = new Map<
      Action,
      { callsLeft: number; etaMs: number; callsPerMinute: number; bound: boolean }
    >();
    for (const region of left) {
      for (const [action, calls] of [
        ['DescribeInvocations', region.describeInvocations],
        ['DescribeInvocationResult', region.describeInvocationResult],
      ] as const) {
        const p = pressure.find(
          (x) => x.account === region.account && x.regionId === region.regionId && x.action === action,
        );
        const bound = p !== undefined && elapsedMs >= BOUND_AFTER_MS && p.waitedMs >= BOUND_SHARE * elapsedMs;
        const seen = p && elapsedMs > 10_000 && p.calls > 5 ? (p.calls / elapsedMs) * 60_000 : undefined;
        const budget = p?.rate ?? this.sources.budgets.limits(region.account, action).callsPerMinute;
        const perMinute = bound || seen === undefined ? budget : Math.min(seen, budget);
        const ms = calls > 0 ? (calls / Math.max(perMinute, 0.1)) * 60_000 : 0;
        eta = Math.max(eta, ms);
        const a = byAction.get(action) ?? {
          callsLeft: 0,
          etaMs: 0,
          callsPerMinute: this.sources.budgets.limits(region.account, action).callsPerMinute,
          bound: false,
        };
        a.callsLeft += calls;
        a.etaMs = Math.max(a.etaMs, ms);
        a.bound ||= bound && calls > 0;
        byAction.set(action, a);
      }
    }
    for (const [action, a] of byAction) {
      if (!a.bound || this.#boundTold.has(action)) continue;
      this.#boundTold.add(action);
      this.sources.onBudgetBound?.({
        action,
        callsPerMinute: a.callsPerMinute,
        callsLeft: a.callsLeft,
        etaMs: Math.round(a.etaMs),
      });
    }
    return Math.round(eta);
  }

  /** The run's row in the archive's `runs` dataset. */
  runRecord(finishedAt: Date, outcome: CrawlReport['outcome'], accounts: string[]): RunRecord {
    return {
      startedAt: this.startedAt,
      finishedAt,
      outcome,
      accounts,
      callsByAction: this.sources.budgets.callsByAction(),
      throttles: this.counters.throttles,
      retries: this.counters.retries,
      recordsNew: this.sources.feed.newInvocations,
      recordsChanged: this.sources.feed.changedInvocations,
      instancesComplete: this.instancesComplete,
      instancesIncomplete: this.incomplete.length,
      gapsFound: this.gaps.length,
    };
  }

  /** The report of the run, once it is over. */
  report(
    run: Pick<CrawlReport, 'runId' | 'finishedAt' | 'outcome' | 'error' | 'accounts' | 'stopReason'>,
  ): CrawlReport {
    return {
      stopReason: run.stopReason,
      stopped: this.stopped,
      lateResults: this.lateResults,
      runId: run.runId,
      startedAt: this.startedAt,
      finishedAt: run.finishedAt,
      outcome: run.outcome,
      error: run.error,
      accounts: run.accounts,
      callsByAction: this.sources.budgets.callsByAction(),
      budgets: this.sources.budgets.pressure(),
      throttles: this.counters.throttles,
      retries: this.counters.retries,
      recordsNew: this.sources.feed.newInvocations,
      recordsChanged: this.sources.feed.changedInvocations,
      recordsSkipped: this.sources.feed.skipped,
      commits: this.sources.feed.snapshots,
      instancesTotal: this.instancesTotal,
      instancesComplete: this.instancesComplete,
      incomplete: this.incomplete,
      released: this.released,
      gaps: this.gaps,
    };
  }
}
