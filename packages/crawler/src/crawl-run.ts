import { setMaxListeners } from 'node:events';
import type { Instance } from '@swas-archive/client';
import type { ArchiveWriter } from './archive-writer.js';
import { type Action, BudgetRegistry } from './budget-registry.js';
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
import { cursorKey, type InstanceRef } from './instance-ref.js';
import { type CallApi, crawlInstance, type RunContext, recordReleased } from './instance-task.js';
import { instanceObservation } from './record-mapping.js';
import { planRegion } from './region-plan.js';
import { callWithRetry, type RetryContext } from './retry-policy.js';
import { type BudgetBound, RunTally } from './run-tally.js';
import { shardOf } from './shard-of.js';
import { type FeedTotals, SnapshotFeeder } from './snapshot-feeder.js';

/** An attempt unanswered this long is worth saying (the client's timeout is longer). */
const SLOW_CALL_MS = 5000;

/** Instances per `ListInstances` page: the API's maximum. */
const INSTANCE_PAGE_SIZE = 100;

/**
 * Archives every invocation of every instance of every account and region: regions in parallel (budgets
 * are per region), instances nearest to losing records first, only what can be new or changed unless
 * `full`. Never exceeds a budget; retries what is transient; one failing instance does not stop the others;
 * an error whose crawl decision is `stop-run` (see `ERROR_CODES`) stops the run at once. Commits what it
 * has read in every case, in one or more snapshots.
 */
export async function crawl(options: CrawlOptions): Promise<CrawlReport> {
  const startedAt = new Date();
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
  /** Every instance id a listing of this run has shown. */
  readonly #listedIds = new Set<string>();
  /** Actions already said to be slow. */
  readonly #slowTold = new Set<Action>();

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
      {
        action,
        regionId,
      },
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
    if (going())
      fatal = await this.#each((account) => this.#account(account, regions.get(account.name) ?? []));
    const interrupted = this.options.signal?.aborted === true;
    if (interrupted) fatal = undefined;
    else if (!fatal) this.#reportUnlisted();
    const finishedAt = new Date();
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
      ...(interrupted ? { stopReason: String(this.options.signal?.reason ?? 'stopped') } : {}),
    });
  }

  /** Runs `work` for every account at once; the first error that stops the run aborts the others. */
  async #each(work: (account: CrawlAccount) => Promise<void>): Promise<Error | undefined> {
    let fatal: Error | undefined;
    await Promise.all(
      this.options.accounts.map((account) =>
        work(account).catch((error: unknown) => {
          if (this.options.signal?.aborted) return; // stopped on purpose: not an error
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
      listings.map(({ regionId, listed }) => (listed ? this.#region(account, regionId, listed) : undefined)),
    );
  }

  /** A region's instances, or undefined (reported incomplete) when they cannot be listed. */
  async #listRegion(
    account: CrawlAccount,
    regionId: string,
  ): Promise<{ regionId: string; listed: Instance[] | undefined }> {
    try {
      const listed = await this.#listInstances(account, regionId);
      for (const i of listed) this.#listedIds.add(i.instanceId);
      return { regionId, listed };
    } catch (error) {
      if (stopsTheRun(error)) throw error;
      const reason = `could not list instances: ${messageOf(error)}`;
      this.tally.incomplete.push({ account: account.name, regionId, instanceId: '*', reason });
      return { regionId, listed: undefined };
    }
  }

  async #listInstances(account: CrawlAccount, regionId: string): Promise<Instance[]> {
    const all: Instance[] = [];
    for (let pageNumber = 1; ; pageNumber++) {
      const page = await this.call(account.name, regionId, 'ListInstances', Number.POSITIVE_INFINITY, () =>
        account.api.listInstances({ regionId, pageNumber, pageSize: INSTANCE_PAGE_SIZE }),
      );
      for (const i of page.items) if (!all.some((x) => x.instanceId === i.instanceId)) all.push(i);
      if (page.items.length < INSTANCE_PAGE_SIZE || pageNumber * INSTANCE_PAGE_SIZE >= page.totalCount)
        return all;
    }
  }

  async #region(account: CrawlAccount, regionId: string, listed: Instance[]): Promise<void> {
    const only = this.options.instances;
    const wanted = only ? listed.filter((i) => only.includes(i.instanceId)) : listed;
    const observedAt = new Date();
    await this.feeder.instances(wanted.map((i) => instanceObservation(account.name, i, observedAt)));
    this.options.onEvent({ type: 'region', account: account.name, regionId, instances: wanted.length });
    const ref = (instanceId: string): InstanceRef => ({ account: account.name, regionId, instanceId });
    const plan = planRegion(account.name, regionId, wanted, this.#cursors, this.#listedIds, only);
    const walkedInFull = (i: Instance) => {
      const c = this.#cursors.get(cursorKey(ref(i.instanceId)));
      return this.options.full || c?.windowEnd === undefined || c.order === 'unordered';
    };
    const full = plan.queue.filter(walkedInFull).length;
    this.tally.estimate.planned(account.name, regionId, plan.queue.length - full, full);
    this.tally.planned(account.name, regionId, wanted.length + plan.released.length);
    for (const id of plan.released) {
      await recordReleased(this, ref(id), this.#cursors.get(cursorKey(ref(id))));
      this.tally.done(account.name, regionId);
    }
    const workers = Math.max(1, this.#budgets.limits(account.name, 'DescribeInvocations').inFlight);
    const queue = plan.queue;
    await Promise.all(
      Array.from({ length: Math.min(workers, queue.length) }, async () => {
        for (let next = queue.shift(); next && !this.#abort.signal.aborted; next = queue.shift()) {
          const where = ref(next.instanceId);
          await crawlInstance(this, account, where, this.#cursors.get(cursorKey(where)));
        }
      }),
    );
  }
}
