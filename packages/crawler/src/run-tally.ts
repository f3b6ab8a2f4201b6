import type { CoverageRecord, RunRecord } from '@swas-archive/archive';
import type { BudgetRegistry } from './budget-registry.js';
import type { Clock } from './clock.js';
import type { CrawlProgress, CrawlReport, IncompleteInstance } from './crawl-report.js';
import type { InstanceRef } from './instance-ref.js';
import type { LateResultCounts } from './late-results.js';
import type { CallCounters } from './retry-policy.js';
import type { FeedTotals } from './snapshot-feeder.js';

/** How often progress is given at most, ms. */
const PROGRESS_EVERY_MS = 500;

/** Where the tally reads what others count: calls by the budgets, commits by the feeder. */
export interface TallySources {
  budgets: BudgetRegistry;
  feed: FeedTotals;
  clock: Clock;
  onProgress: (progress: CrawlProgress) => void;
}

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
  readonly gaps: CoverageRecord[] = [];
  #lastProgress = 0;

  constructor(
    private readonly startedAt: Date,
    private readonly sources: TallySources,
  ) {}

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
    const left = this.instancesTotal - this.instancesDone;
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
      etaMs: this.instancesDone > 0 ? Math.round((elapsedMs / this.instancesDone) * left) : undefined,
    });
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
