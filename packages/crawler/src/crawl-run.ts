import { setMaxListeners } from 'node:events';
import type { Instance } from '@swas-archive/client';
import type { ArchiveWriter } from './archive-writer.js';
import { type Action, BudgetRegistry } from './budget-registry.js';
import { realClock } from './clock.js';
import {
  type CrawlAccount,
  type CrawlOptions,
  type ResolvedCrawlOptions,
  resolveCrawlOptions,
} from './crawl-options.js';
import type { CrawlReport } from './crawl-report.js';
import { CrawlConfigurationError } from './errors.js';
import { asError, messageOf, stopsTheRun } from './failure-policy.js';
import { readCursors, type StoredCursors } from './instance-cursor.js';
import type { CallApi, RunContext } from './instance-task.js';
import { crawlRegion, listInstances, type RegionRun } from './region-crawl.js';
import { callWithRetry, type RetryContext } from './retry-policy.js';
import { type BudgetBound, RunTally } from './run-tally.js';
import { ServerFloors } from './server-floor.js';
import { shardOf } from './shard-of.js';
import { type FeedTotals, SnapshotFeeder } from './snapshot-feeder.js';

/** An attempt unanswered this long is worth saying (the client's timeout is longer). */
const SLOW_CALL_MS = 5000;

/**
 * Archives every invocation of every instance of every account and region: regions in parallel (budgets
 * are per region), instances nearest to losing records first, only what can be new or changed unless
 * `full`. Never exceeds a budget; retries what is transient; one failing instance does not stop the others;
 * an error whose crawl decision is `stop-run` (see `ERROR_CODES`) stops the run at once. Commits what it
 * has read in every case, in one or more snapshots.
 */
export async function crawl(options: CrawlOptions): Promise<CrawlReport> {
  const startedAt = new Date((options.clock ?? realClock).now());
  return new CrawlRun(resolveCrawlOptions(options, startedAt), startedAt).run();
}

/** One run: accounts → regions → instances, then the last snapshot and the report. */
class CrawlRun implements RunContext {
  readonly tally: RunTally;
  readonly #feed: FeedTotals = { snapshots: 0, skipped: 0, newInvocations: 0, changedInvocations: 0 };
  #feeder?: SnapshotFeeder;
  readonly #budgets: BudgetRegistry;
  readonly #retry: RetryContext;
  readonly #abort = new AbortController();
  /** The archive's cursors, parsed once when the archive is opened. */
  #cursors: StoredCursors = new Map();
  readonly floors = new ServerFloors();
  /** Every instance id a listing of this run has shown. */
  readonly #listedIds = new Set<string>();
  /** Actions already said to be slow. */
  readonly #slowTold = new Set<Action>();
  /** Whether `maxDurationMs` stopped the run. */
  #timedOut = false;

  constructor(
    readonly options: ResolvedCrawlOptions,
    startedAt: Date,
  ) {
    const { clock, signal } = options;
    this.#budgets = new BudgetRegistry(options.budgets, clock);
    const sources = {
      budgets: this.#budgets,
      feed: this.#feed,
      clock,
      onProgress: options.onProgress,
      onBudgetBound: (bound: BudgetBound) => options.onEvent({ type: 'budget-bound', ...bound }),
      withResults: options.withResults,
    };
    this.tally = new RunTally(startedAt, sources);
    this.#retry = {
      options: options.retry,
      counters: this.tally.counters,
      clock,
      signal: this.#abort.signal,
      onRetry: (retry) => options.onEvent({ type: 'retry', ...retry }),
    };
    signal?.addEventListener('abort', () => this.#abort.abort(signal.reason), { once: true });
    // Every call waiting for its budget listens for the run's abort: many at once is expected.
    setMaxListeners(0, this.#abort.signal);
  }

  #archive?: ArchiveWriter;

  /** The archive, once open (after every account answered `ListRegions`). */
  get archive(): ArchiveWriter {
    if (!this.#archive) throw new Error('the archive is not open yet');
    return this.#archive;
  }

  /** The run's snapshots: there once the archive is open (after every account answered `ListRegions`). */
  get feeder(): SnapshotFeeder {
    if (!this.#feeder) throw new Error('the archive is not open yet');
    return this.#feeder;
  }

  /** One API call, through its budget and the retry loop, abandoned when the run stops. */
  readonly call: CallApi = (account, regionId, action, deadline, call) =>
    callWithRetry(
      this.#budgets.get(account, regionId, action),
      this.#watched(action, regionId, call),
      deadline,
      this.#retry,
      { action, regionId },
    );

  /** Says once per action when an attempt has gone unanswered for a while, long before its timeout. */
  #watched<T>(action: Action, regionId: string, call: () => Promise<T>): () => Promise<T> {
    return () => {
      const timer = setTimeout(() => {
        if (this.#slowTold.has(action)) return;
        this.#slowTold.add(action);
        this.options.onEvent({ type: 'slow-call', action, regionId, waitedMs: SLOW_CALL_MS });
      }, SLOW_CALL_MS);
      timer.unref();
      return call().finally(() => clearTimeout(timer));
    };
  }

  /** Whether the run was told to stop, or stopped itself on an error: walks leave partial cursors. */
  stopped(): boolean {
    return this.#abort.signal.aborted;
  }

  /**
   * Checks every account (`ListRegions`, the regions asked for) before the archive is opened, so that a run
   * that cannot start leaves no archive behind; then crawls, commits what is left with the run's row, and
   * reports (a failure to commit fails the run).
   */
  async run(): Promise<CrawlReport> {
    const regions = new Map<string, string[]>();
    let fatal = await this.#each((account) => this.#checkAccount(account, regions));
    // Told to stop before the archive was opened: nothing to commit, nothing created.
    const going = () => !fatal && !this.options.signal?.aborted;
    if (going()) fatal = await this.#openArchive();
    const limit = this.#timeLimit();
    if (going())
      fatal = await this.#each((account) => this.#account(account, regions.get(account.name) ?? []));
    limit.abort();
    if (this.#feeder) this.options.onEvent({ type: 'crawl-done' });
    const interrupted = this.options.signal?.aborted === true || this.#timedOut;
    if (interrupted) fatal = undefined;
    else if (!fatal) this.#reportUnlisted();
    const finishedAt = new Date(this.options.clock.now());
    const outcome = interrupted ? 'interrupted' : this.tally.outcome(fatal !== undefined);
    const accounts = this.options.accounts.map((a) => a.name);
    try {
      // Commit first, so that the run's row counts every invocation archived.
      if (this.#feeder) {
        await this.#feeder.commitPending();
        await this.#feeder.finish(this.tally.runRecord(finishedAt, outcome, accounts));
      }
    } catch (error) {
      fatal ??= asError(error);
    } finally {
      this.#feeder?.stop();
    }
    this.tally.progress(true);
    return this.tally.report({
      runId: this.options.runId,
      finishedAt,
      outcome: fatal ? 'failed' : outcome,
      error: fatal,
      accounts,
      ...(interrupted ? { stopReason: this.#stopReason() } : {}),
    });
  }

  /** What a region's crawl needs of this run. */
  #regionRun(): RegionRun {
    return {
      run: this,
      cursors: this.#cursors,
      listedIds: this.#listedIds,
      workers: (account) => Math.max(1, this.#budgets.limits(account, 'DescribeInvocations').inFlight),
      stopped: () => this.#abort.signal.aborted,
    };
  }

  /** Why the run was stopped: the signal's reason, else its time limit. */
  #stopReason(): string {
    if (this.options.signal?.aborted) return String(this.options.signal.reason ?? 'stopped');
    return 'time-limit';
  }

  /** Stops the run once `maxDurationMs` has passed on its clock; abort the controller it returns when done. */
  #timeLimit(): AbortController {
    const done = new AbortController();
    const ms = this.options.maxDurationMs;
    if (ms !== undefined)
      this.options.clock.sleep(ms, done.signal).then(
        () => {
          this.#timedOut = true;
          this.#abort.abort('time-limit');
        },
        () => undefined, // the crawl ended first
      );
    return done;
  }

  /** Runs `work` for every account at once; the first error that stops the run aborts the others. */
  async #each(work: (account: CrawlAccount) => Promise<void>): Promise<Error | undefined> {
    let fatal: Error | undefined;
    await Promise.all(
      this.options.accounts.map((account) =>
        work(account).catch((error: unknown) => {
          if (this.options.signal?.aborted || this.#timedOut) return; // stopped on purpose: not an error
          fatal ??= asError(error);
          this.#abort.abort(fatal);
        }),
      ),
    );
    return fatal;
  }

  /** Opens the archive (when given as a function), reads its cursors, and starts feeding it. */
  async #openArchive(): Promise<Error | undefined> {
    try {
      const given = this.options.archive;
      const archive = typeof given === 'function' ? await given() : given;
      this.#archive = archive;
      this.#cursors = readCursors(archive.cursors);
      this.floors.fromCursors(this.#cursors);
      this.#feeder = new SnapshotFeeder(archive, this.options.runId, this.#feed, {
        commitEvery: this.options.commitEvery,
        commitIntervalMs: this.options.commitIntervalMs,
        clock: this.options.clock,
      });
      return undefined;
    } catch (error) {
      return asError(error);
    }
  }

  /** Ids asked for that no region listed and no cursor knows: most likely a typo. */
  #reportUnlisted(): void {
    // A shard sees only its regions: an instance of another shard's region is not missing.
    if (this.options.shard && this.options.shard.count > 1) return;
    const keys = [...this.#cursors.keys()];
    for (const id of this.options.instances ?? []) {
      const known = keys.some((k) => k.endsWith(`/${id}`));
      if (!known && !this.#listedIds.has(id))
        this.tally.incomplete.push({
          account: '*',
          regionId: '*',
          instanceId: id,
          reason: 'not found in any region crawled',
        });
    }
  }

  /** `ListRegions` for one account: proves its credentials work, and checks the regions asked for. */
  async #checkAccount(account: CrawlAccount, regions: Map<string, string[]>): Promise<void> {
    const listed = await this.call(account.name, '-', 'ListRegions', Number.POSITIVE_INFINITY, () =>
      account.api.listRegions(),
    );
    const offered = listed.map((r) => r.regionId);
    const wanted = this.options.regions ?? offered;
    const unknown = wanted.filter((r) => !offered.includes(r));
    if (unknown.length > 0) {
      throw new CrawlConfigurationError(
        `region ${unknown.join(', ')} is not offered to account ${account.name}: choose from ${offered.join(', ')}`,
        'regions',
      );
    }
    // A shard crawls only its own (account, region)s: each belongs to exactly one worker of the split.
    const shard = this.options.shard;
    const mine = shard ? wanted.filter((r) => shardOf(account.name, r, shard.count) === shard.index) : wanted;
    regions.set(account.name, [...mine]);
  }

  async #account(account: CrawlAccount, wanted: readonly string[]): Promise<void> {
    // List every region first: an instance released before its region is listed is invisible to the run,
    // so keep that window short instead of letting it grow while other regions are crawled.
    const listings = await Promise.all(wanted.map((regionId) => this.#listRegion(account, regionId)));
    await Promise.all(
      listings.map(({ regionId, listed }) =>
        listed ? crawlRegion(this.#regionRun(), account, regionId, listed) : undefined,
      ),
    );
  }

  /** A region's instances, or undefined (reported incomplete) when they cannot be listed. */
  async #listRegion(
    account: CrawlAccount,
    regionId: string,
  ): Promise<{ regionId: string; listed: Instance[] | undefined }> {
    try {
      const listed = await listInstances(this.call, account, regionId);
      for (const i of listed) this.#listedIds.add(i.instanceId);
      return { regionId, listed };
    } catch (error) {
      if (stopsTheRun(error)) throw error;
      const reason = `could not list instances: ${messageOf(error)}`;
      this.tally.incomplete.push({ account: account.name, regionId, instanceId: '*', reason });
      return { regionId, listed: undefined };
    }
  }
}
