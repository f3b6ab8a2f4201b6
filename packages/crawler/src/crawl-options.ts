import type { SwasApi } from '@swas-archive/client';
import type { ArchiveWriter } from './archive-writer.js';
import { type BudgetOptions, type ResolvedBudgets, resolveBudgets } from './budget-registry.js';
import { type Clock, realClock } from './clock.js';
import type { CrawlEvent, CrawlProgress } from './crawl-report.js';
import { CrawlConfigurationError } from './errors.js';
import type { RetryOptions } from './retry-policy.js';
import type { CrawlShard } from './shard-of.js';

const DAY = 86_400_000;

/** One set of credentials, with the client that uses them. */
export interface CrawlAccount {
  /** A short name, stored with every row (`account`): 1–64 letters, digits or `._@-`, distinct. */
  name: string;
  /** The API, as the account's credentials reach it (`createSwasClient` of `@swas-archive/client`). */
  api: SwasApi;
}

/** Options of {@link crawl}. */
export interface CrawlOptions {
  /** The accounts to crawl, at least one. */
  accounts: readonly CrawlAccount[];
  /**
   * Where the run's snapshots are committed and the cursors read (an `Archive` of `@swas-archive/archive`),
   * or a function that opens it: called only once every account has answered `ListRegions`, so that a run
   * that cannot start (wrong key, unknown region, no network) creates no archive.
   */
  archive: ArchiveWriter | (() => Promise<ArchiveWriter>);
  /** Only these regions (each must exist for every account). @default every region `ListRegions` returns */
  regions?: readonly string[];
  /** Only these instance ids. @default every instance */
  instances?: readonly string[];
  /**
   * This run is worker `index` of `count`: it crawls only the (account, region)s that `shardOf` gives it,
   * so that each belongs to exactly one worker (and its budgets stay exact). @default every region
   */
  shard?: CrawlShard;
  /** Also fetch `DescribeInvocationResult` for each invocation that became final and was not archived with its result. @default false */
  withResults?: boolean;
  /** Walk every page of every instance instead of only what can be new. @default false */
  full?: boolean;
  /** Calls per minute and in flight per (account, region, action). @default `DEFAULT_BUDGETS`, a 60 s window, 1 s safety */
  budgets?: BudgetOptions;
  /** Retries of transient failures. @default 6 attempts, 500 ms base, 30 s cap */
  retry?: RetryOptions;
  /** Time allowed for one instance, retries included; past it the instance is reported incomplete. @default 600000 */
  instanceDeadlineMs?: number;
  /** Observations per snapshot: a run commits one every this many, which bounds memory and what a crash can cost. @default 100000 */
  commitEvery?: number;
  /**
   * Longest time anything read waits uncommitted, ms: a snapshot is committed at least this often while
   * records are pending (and half as long after an instance is done), so a stop or a crash loses little.
   * @default 60000
   */
  commitIntervalMs?: number;
  /** The service's retention, to name gaps (expired vs a rotated cap). @default 14 days */
  retentionMs?: number;
  /** The run's id, stored with every row. @default `run-` and the start time */
  runId?: string;
  /** Where the run stands, at most every half second and once at the end. @default none */
  onProgress?: (progress: CrawlProgress) => void;
  /** Something worth a log line. @default none */
  onEvent?: (event: CrawlEvent) => void;
  /**
   * Stops the run (Ctrl-C, SIGTERM, a time limit; the abort reason names why): calls in flight are
   * abandoned, what was read is committed with cursors that let the next run go on from there, and the
   * report says `interrupted`. @default none
   */
  signal?: AbortSignal;
  /**
   * Longest time the run may crawl, ms: then it stops as on `signal` (reason `time-limit`), committing what
   * it read with cursors that let the next run go on, and the instances it did not reach keep the earliest
   * deadlines, so the next run starts with them. @default no limit
   */
  maxDurationMs?: number;
  /**
   * How often runs are scheduled, ms: instances with at most a page of new records a run (quiet ones)
   * are then checked only when the next run could come too late for their oldest record that may be
   * unarchived (see `deadline-schedule.ts`). @default unknown: every instance is checked every run
   */
  runEveryMs?: number;
  /** Records the service keeps at most (unconfirmed: 100,000), to estimate how fast the cap rotates. @default 100000 */
  recordCap?: number;
  /**
   * Whether the cap counts per region or per account (unconfirmed): `account`, the default, is the safe
   * guess (a shorter record lifetime, so instances are checked sooner). @default 'account'
   */
  capScope?: 'region' | 'account';
  /** Time as budgets, deadlines, time limits and observation times read it. @default the real clock */
  clock?: Clock;
}

/** Crawl options once checked, with every default filled in. */
export interface ResolvedCrawlOptions {
  accounts: readonly CrawlAccount[];
  archive: ArchiveWriter | (() => Promise<ArchiveWriter>);
  /** Undefined: every region offered. */
  regions?: readonly string[];
  /** Undefined: every instance. */
  instances?: readonly string[];
  shard?: CrawlShard;
  withResults: boolean;
  full: boolean;
  budgets: ResolvedBudgets;
  retry: Required<RetryOptions>;
  instanceDeadlineMs: number;
  commitEvery: number;
  commitIntervalMs: number;
  retentionMs: number;
  runId: string;
  onProgress: (progress: CrawlProgress) => void;
  onEvent: (event: CrawlEvent) => void;
  signal?: AbortSignal;
  maxDurationMs?: number;
  runEveryMs?: number;
  recordCap: number;
  capScope: 'region' | 'account';
  /** Budgets, backoff, deadlines and progress read this clock (tests and simulations inject their own). */
  clock: Clock;
}

const ignore = () => undefined;

/** Checks `options` once, with messages that say how to fix them, and fills in every default. */
export function resolveCrawlOptions(options: CrawlOptions, startedAt: Date): ResolvedCrawlOptions {
  checkAccounts(options.accounts);
  for (const [name, value] of [
    ['commitEvery', options.commitEvery],
    ['commitIntervalMs', options.commitIntervalMs],
    ['instanceDeadlineMs', options.instanceDeadlineMs],
    ['retentionMs', options.retentionMs],
    ['retry.attempts', options.retry?.attempts],
    ['maxDurationMs', options.maxDurationMs],
    ['runEveryMs', options.runEveryMs],
    ['recordCap', options.recordCap],
  ] as const) {
    if (value !== undefined && (!Number.isFinite(value) || value <= 0))
      throw new CrawlConfigurationError(`Expected \`${name}\` to be a number > 0, got ${value}`, name);
  }
  const { shard } = options;
  if (
    shard &&
    (!Number.isInteger(shard.count) ||
      shard.count < 1 ||
      !Number.isInteger(shard.index) ||
      shard.index < 0 ||
      shard.index >= shard.count)
  )
    throw new CrawlConfigurationError(
      `Expected \`shard\` i/n with n >= 1 and 0 <= i < n, got ${shard.index}/${shard.count}`,
      'shard',
    );
  const suffix = shard ? `-shard-${shard.index}-of-${shard.count}` : '';
  return {
    accounts: options.accounts,
    archive: options.archive,
    regions: options.regions,
    instances: options.instances,
    shard,
    withResults: options.withResults ?? false,
    full: options.full ?? false,
    budgets: resolveBudgets(options.budgets),
    retry: { attempts: 6, baseDelayMs: 500, maxDelayMs: 30_000, ...options.retry },
    instanceDeadlineMs: options.instanceDeadlineMs ?? 600_000,
    commitEvery: options.commitEvery ?? 100_000,
    commitIntervalMs: options.commitIntervalMs ?? 60_000,
    retentionMs: options.retentionMs ?? 14 * DAY,
    runId: options.runId ?? `run-${startedAt.toISOString().replace(/[-:.]/g, '')}${suffix}`,
    onProgress: options.onProgress ?? ignore,
    onEvent: options.onEvent ?? ignore,
    signal: options.signal,
    maxDurationMs: options.maxDurationMs,
    runEveryMs: options.runEveryMs,
    recordCap: options.recordCap ?? 100_000,
    capScope: options.capScope ?? 'account',
    clock: options.clock ?? realClock,
  };
}

function checkAccounts(accounts: readonly CrawlAccount[] | undefined): void {
  if (!accounts?.length) throw new CrawlConfigurationError('give at least one account to crawl', 'accounts');
  const names = accounts.map((a) => a.name);
  const bad = names.find((n) => !/^[\w.@-]{1,64}$/.test(n));
  if (bad !== undefined)
    throw new CrawlConfigurationError(
      `account name "${bad}" must be 1–64 letters, digits or ._@-`,
      'accounts',
    );
  if (new Set(names).size !== names.length)
    throw new CrawlConfigurationError('account names must be distinct', 'accounts');
}
