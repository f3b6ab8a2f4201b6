import type { CoverageRecord } from '@swas-archive/archive';
import type { SwasApi, SwasApiError } from '@swas-archive/client';
import type { ArchiveWriter } from './archive-writer.js';
import type { Action, BudgetOptions } from './budget-registry.js';
import type { RetryOptions } from './retry-policy.js';

/** One set of credentials, with the client that uses them. */
export interface CrawlAccount {
  /** A short name, stored with every row (`account`). */
  name: string;
  api: SwasApi;
}

/** Options of {@link crawl}. */
export interface CrawlOptions {
  accounts: readonly CrawlAccount[];
  archive: ArchiveWriter;
  /** Only these regions (each must exist for every account). @default every region `ListRegions` returns */
  regions?: readonly string[];
  /** Only these instance ids. @default every instance */
  instances?: readonly string[];
  /** Also fetch `DescribeInvocationResult` for each invocation that became final and was not archived with its result. @default false */
  withResults?: boolean;
  /** Walk every page of every instance instead of only what can be new. @default false */
  full?: boolean;
  budgets?: BudgetOptions;
  retry?: RetryOptions;
  /** Time allowed for one instance, retries included; past it the instance is reported incomplete. @default 600000 */
  instanceDeadlineMs?: number;
  /** Observations staged before a commit: bounds memory and what a crash can cost. @default 100000 */
  commitEvery?: number;
  /** The service's retention, to name gaps (expired vs a rotated cap). @default 14 days */
  retentionMs?: number;
  /** @default a new id from the time */
  runId?: string;
  onProgress?: (progress: CrawlProgress) => void;
  onEvent?: (event: CrawlEvent) => void;
  signal?: AbortSignal;
}

/** Where a run stands. */
export interface CrawlProgress {
  instancesTotal: number;
  instancesDone: number;
  callsByAction: Record<Action, number>;
  /** Records read so far (new and seen again). */
  recordsSeen: number;
  /** Committed so far: invocations archived for the first time, and with a new state. */
  recordsNew: number;
  recordsChanged: number;
  throttles: number;
  retries: number;
  elapsedMs: number;
  /** Estimated time left, from the pace so far; undefined until an instance is done. */
  etaMs?: number;
}

/** Something worth a log line. */
export type CrawlEvent =
  | { type: 'region'; account: string; regionId: string; instances: number }
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
  | { type: 'commit'; observations: number; skipped: number }
  | { type: 'note'; account: string; regionId: string; instanceId: string; message: string };

/** An instance the run could not archive completely. */
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
  /** `complete`: everything archived, no new gap. `partial`: an instance incomplete or a new gap. `failed`: the run stopped. */
  outcome: 'complete' | 'partial' | 'failed';
  /** Why the run stopped, when it failed (authentication, permission, clock). */
  error?: SwasApiError | Error;
  accounts: string[];
  callsByAction: Record<Action, number>;
  throttles: number;
  retries: number;
  recordsNew: number;
  recordsChanged: number;
  recordsSkipped: number;
  commits: number;
  instancesTotal: number;
  instancesComplete: number;
  incomplete: IncompleteInstance[];
  released: { account: string; regionId: string; instanceId: string }[];
  /** Gaps found by this run. */
  gaps: CoverageRecord[];
}
