import type { CoverageRecord } from '@swas-archive/archive';
import type { SwasApiError } from '@swas-archive/client';
import type { Action, BudgetPressure } from './budget-registry.js';
import type { LateResultCounts } from './late-results.js';
import type { RetryNotice } from './retry-policy.js';
import type { BudgetBound } from './run-tally.js';

/** Where a run stands, given to `onProgress` at most every half second and once at the end. */
export interface CrawlProgress {
  instancesTotal: number;
  instancesDone: number;
  callsByAction: Record<Action, number>;
  /** Records read so far (new and seen again). */
  recordsSeen: number;
  /** Committed so far: invocations archived for the first time. */
  recordsNew: number;
  /** Committed so far: invocations archived with a new state. */
  recordsChanged: number;
  throttles: number;
  retries: number;
  elapsedMs: number;
  /**
   * Estimated time left: the calls still needed (pages of walks in progress by `TotalCount`, an average
   * per instance not started, results in proportion) at the pace each budget allows; undefined until the
   * instances are listed.
   */
  etaMs?: number;
  /** The same per account and region (each region has budgets of its own). */
  regions: RegionProgress[];
}

/** Where one region of one account stands. */
export interface RegionProgress {
  account: string;
  regionId: string;
  instancesDone: number;
  instancesTotal: number;
  calls: number;
  throttles: number;
  /** Time calls spent waiting for this region's budgets, summed over calls. */
  budgetWaitMs: number;
}

/** Something worth a log line, given to `onEvent`. */
export type CrawlEvent =
  | { type: 'region'; account: string; regionId: string; instances: number }
  /**
   * The region's schedule: instances due this run, quiet ones that can wait for a later one, and how long
   * a record lives there now (the retention, or less when the cap rotates faster).
   */
  /** Crawling is over (done, stopped or failed): what was read is being committed. */
  | { type: 'crawl-done' }
  | { type: 'schedule'; account: string; regionId: string; due: number; deferred: number; lifetimeMs: number }
  | {
      type: 'instance-done';
      account: string;
      regionId: string;
      instanceId: string;
      pages: number;
      records: number;
      fullWalk: boolean;
    }
  | { type: 'instance-failed'; account: string; regionId: string; instanceId: string; reason: string }
  | { type: 'instance-released'; account: string; regionId: string; instanceId: string }
  | { type: 'gap'; account: string; regionId: string; instanceId: string; reason: string; detail: string }
  | { type: 'note'; account: string; regionId: string; instanceId: string; message: string }
  | ({ type: 'retry' } & RetryNotice)
  /** A call has gone unanswered for `waitedMs` (said once per action): the run is waiting on the service. */
  | { type: 'slow-call'; action: string; regionId: string; waitedMs: number }
  /** The action's budget, not the service, is what the run waits for (said once per action). */
  | ({ type: 'budget-bound' } & BudgetBound);

/** An instance (or with `instanceId` `*`, a whole region) the run could not archive completely. */
export interface IncompleteInstance {
  account: string;
  regionId: string;
  instanceId: string;
  reason: string;
}

/** What a run did. */
export interface CrawlReport {
  runId: string;
  startedAt: Date;
  finishedAt: Date;
  /**
   * `complete`: everything archived, no new gap. `partial`: an instance incomplete or a new gap. `failed`:
   * an error stopped the run. `interrupted`: it was told to stop (`signal`); what it read is committed.
   */
  outcome: 'complete' | 'partial' | 'failed' | 'interrupted';
  /** Why it was told to stop (the signal's abort reason, e.g. `SIGINT`; `time-limit`: `maxDurationMs`), when interrupted. */
  stopReason?: string;
  /**
   * Why the run stopped, when it failed: an error whose crawl decision is `stop-run` in `ERROR_CODES` of
   * `@swas-archive/errors` (credentials, permission, clock, configuration, the archive), or one that is not
   * ours (a bug). What was read before is committed all the same.
   */
  error?: SwasApiError | Error;
  accounts: string[];
  callsByAction: Record<Action, number>;
  /** Every budget the run used: calls, throttles and time waited for it, per (account, region, action). */
  budgets: BudgetPressure[];
  /** Calls the server throttled. */
  throttles: number;
  /** Calls retried after a transient failure. */
  retries: number;
  /** Invocations archived for the first time. */
  recordsNew: number;
  /** Invocations archived with a new state. */
  recordsChanged: number;
  /** Observations the archive already held unchanged. */
  recordsSkipped: number;
  /** Snapshots the run committed: one or more (every `commitEvery` observations, and the last). */
  commits: number;
  instancesTotal: number;
  instancesComplete: number;
  incomplete: IncompleteInstance[];
  /** Instances found released by this run (each reported once). */
  released: { account: string; regionId: string; instanceId: string }[];
  /** Gaps found by this run. */
  gaps: CoverageRecord[];
  /** Instances whose walk the run stopped midway: what was read is committed, the next run goes on. */
  stopped: { account: string; regionId: string; instanceId: string }[];
  /**
   * With `withResults`: results fetched for invocations archived without one (earlier runs without
   * results), those that could not be because the service no longer holds them, and those left for the
   * next run.
   */
  lateResults: LateResultCounts;
}
