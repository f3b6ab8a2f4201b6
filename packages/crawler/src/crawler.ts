import { setMaxListeners } from 'node:events';
import type {
  CoverageRecord,
  InstanceObservation,
  InvocationObservation,
  ObservedResult,
} from '@swas-archive/archive';
import { type Instance, type Invocation, type InvocationResult, NotFoundError } from '@swas-archive/client';
import { crawlDecisionOf } from '@swas-archive/errors';
import { type Action, BudgetRegistry, resolveBudgets } from './budget-registry.js';
import { realClock } from './clock.js';
import type {
  CrawlAccount,
  CrawlOptions,
  CrawlProgress,
  CrawlReport,
  IncompleteInstance,
} from './crawl-types.js';
import { CrawlConfigurationError } from './errors.js';
import { type InstanceCursor, parseCursor } from './instance-cursor.js';
import { cursorKey } from './instance-ref.js';
import { MAX_REVISIT_PAGES, walkInstance } from './instance-walk.js';
import { PAGE_SIZE, type ResultFetch, type WalkIo } from './page-reader.js';
import { callWithRetry, type RetryOptions } from './retry-policy.js';
import { SnapshotFeeder } from './snapshot-feeder.js';

const DAY = 86_400_000;

/**
 * Archives every invocation of every instance of every account and region: regions in parallel (budgets
 * are per region), instances nearest to losing records first, only what can be new or changed unless
 * `full`. Never exceeds a budget; retries what is transient; one failing instance does not stop the others;
 * an authentication, permission or clock error stops the run at once. Always commits what it has read.
 */
export async function crawl(options: CrawlOptions): Promise<CrawlReport> {
  return new CrawlRun(options).run();
}

class CrawlRun {
  readonly #o: CrawlOptions;
  readonly #retry: Required<RetryOptions>;
  readonly #budgets: BudgetRegistry;
  readonly #feeder: SnapshotFeeder;
  readonly #abort = new AbortController();
  readonly #counters = { retries: 0, throttles: 0 };
  readonly #runId: string;
  readonly #startedAt = new Date();
  #instancesTotal = 0;
  #instancesDone = 0;
  #instancesComplete = 0;
  #recordsSeen = 0;
  #lastProgress = 0;
  readonly #incomplete: IncompleteInstance[] = [];
  readonly #released: CrawlReport['released'] = [];
  readonly #gaps: CoverageRecord[] = [];

  constructor(options: CrawlOptions) {
    validate(options);
    this.#o = options;
    this.#retry = { attempts: 6, baseDelayMs: 500, maxDelayMs: 30_000, ...options.retry };
    this.#budgets = new BudgetRegistry(resolveBudgets(options.budgets), realClock);
    this.#runId = options.runId ?? `run-${this.#startedAt.toISOString().replace(/[-:.]/g, '')}`;
    this.#feeder = new SnapshotFeeder(options.archive, this.#runId, options.commitEvery ?? 100_000);
    options.signal?.addEventListener('abort', () => this.#abort.abort(options.signal?.reason), {
      once: true,
    });
    // Every call waiting for its budget listens for the run's abort: many at once is expected.
    setMaxListeners(0, this.#abort.signal);
  }

  async run(): Promise<CrawlReport> {
    let fatal: Error | undefined;
    const tasks = this.#o.accounts.map((account) =>
      this.#account(account).catch((error: unknown) => {
        fatal ??= error instanceof Error ? error : new Error(String(error));
        this.#abort.abort(fatal);
      }),
    );
    await Promise.all(tasks);
    if (!fatal && this.#o.instances) {
      // Ids asked for that no region listed and no cursor knows: most likely a typo.
      for (const id of this.#o.instances) {
        const known = Object.keys(this.#o.archive.cursors).some((k) => k.endsWith(`/${id}`));
        if (!known && !this.#listedIds.has(id))
          this.#incomplete.push({
            account: '*',
            regionId: '*',
            instanceId: id,
            reason: 'not found in any region crawled',
          });
      }
    }
    const finishedAt = new Date();
    const outcome: CrawlReport['outcome'] = fatal
      ? 'failed'
      : this.#incomplete.length > 0 || this.#gaps.length > 0
        ? 'partial'
        : 'complete';
    try {
      await this.#feeder.commitPending();
      await this.#feeder.finish({
        startedAt: this.#startedAt,
        finishedAt,
        outcome,
        accounts: this.#o.accounts.map((a) => a.name),
        callsByAction: this.#budgets.callsByAction(),
        throttles: this.#counters.throttles,
        retries: this.#counters.retries,
        recordsNew: this.#feeder.totals.newInvocations,
        recordsChanged: this.#feeder.totals.changedInvocations,
        instancesComplete: this.#instancesComplete,
        instancesIncomplete: this.#incomplete.length,
        gapsFound: this.#gaps.length,
      });
    } catch (error) {
      fatal ??= error instanceof Error ? error : new Error(String(error));
    }
    this.#progress(true);
    return {
      runId: this.#runId,
      startedAt: this.#startedAt,
      finishedAt,
      outcome: fatal ? 'failed' : outcome,
      error: fatal,
      accounts: this.#o.accounts.map((a) => a.name),
      callsByAction: this.#budgets.callsByAction(),
      throttles: this.#counters.throttles,
      retries: this.#counters.retries,
      recordsNew: this.#feeder.totals.newInvocations,
      recordsChanged: this.#feeder.totals.changedInvocations,
      recordsSkipped: this.#feeder.totals.skipped,
      commits: this.#feeder.totals.commits,
      instancesTotal: this.#instancesTotal,
      instancesComplete: this.#instancesComplete,
      incomplete: this.#incomplete,
      released: this.#released,
      gaps: this.#gaps,
    };
  }

  readonly #listedIds = new Set<string>();

  async #account(account: CrawlAccount): Promise<void> {
    const regions = await this.#call(account.name, '-', 'ListRegions', Number.POSITIVE_INFINITY, () =>
      account.api.listRegions(),
    );
    const offered = regions.map((r) => r.regionId);
    const wanted = this.#o.regions ?? offered;
    const unknown = wanted.filter((r) => !offered.includes(r));
    if (unknown.length > 0) {
      throw new CrawlConfigurationError(
        `region ${unknown.join(', ')} is not offered to account ${account.name}: choose from ${offered.join(', ')}`,
        'regions',
      );
    }
    // List every region first: an instance released before its region is listed is invisible to the run,
    // so keep that window short instead of letting it grow while other regions are crawled.
    const listings = await Promise.all(
      wanted.map(async (regionId) => {
        try {
          const listed = await this.#listInstances(account, regionId);
          for (const i of listed) this.#listedIds.add(i.instanceId);
          return { regionId, listed };
        } catch (error) {
          if (isFatal(error)) throw error;
          this.#incomplete.push({
            account: account.name,
            regionId,
            instanceId: '*',
            reason: `could not list instances: ${message(error)}`,
          });
          return { regionId, listed: undefined };
        }
      }),
    );
    await Promise.all(
      listings.map(({ regionId, listed }) => (listed ? this.#region(account, regionId, listed) : undefined)),
    );
  }

  async #region(account: CrawlAccount, regionId: string, listed: Instance[]): Promise<void> {
    const wanted = this.#o.instances
      ? listed.filter((i) => this.#o.instances?.includes(i.instanceId))
      : listed;
    const observedAt = new Date();
    await this.#feeder.instances(wanted.map((i) => instanceObservation(account.name, i, observedAt)));
    this.#o.onEvent?.({ type: 'region', account: account.name, regionId, instances: wanted.length });
    // Instances archived before that the listing no longer shows were released since.
    const prefix = `${account.name}/${regionId}/`;
    const gone: string[] = [];
    for (const [key, value] of Object.entries(this.#o.archive.cursors)) {
      const instanceId = key.slice(prefix.length);
      if (!key.startsWith(prefix) || this.#listedIds.has(instanceId)) continue;
      if (this.#o.instances && !this.#o.instances.includes(instanceId)) continue;
      if (parseCursor(value)?.releasedAt === undefined) gone.push(instanceId);
    }
    this.#instancesTotal += wanted.length + gone.length;
    for (const instanceId of gone) await this.#releasedInstance(account.name, regionId, instanceId);
    // Those whose oldest unarchived record is nearest to expiry go first: never archived, then oldest edge.
    const edge = (i: Instance) =>
      parseCursor(
        this.#o.archive.cursors[cursorKey({ account: account.name, regionId, instanceId: i.instanceId })],
      )?.windowEnd ?? Number.NEGATIVE_INFINITY;
    const queue = [...wanted].sort((a, b) => edge(a) - edge(b));
    const workers = Math.max(1, this.#budgets.limits(account.name, 'DescribeInvocations').inFlight);
    await Promise.all(
      Array.from({ length: Math.min(workers, queue.length) }, async () => {
        for (let next = queue.shift(); next && !this.#abort.signal.aborted; next = queue.shift()) {
          await this.#instance(account, regionId, next.instanceId);
        }
      }),
    );
  }

  async #listInstances(account: CrawlAccount, regionId: string): Promise<Instance[]> {
    const all: Instance[] = [];
    for (let pageNumber = 1; ; pageNumber++) {
      const page = await this.#call(account.name, regionId, 'ListInstances', Number.POSITIVE_INFINITY, () =>
        account.api.listInstances({ regionId, pageNumber, pageSize: 100 }),
      );
      for (const i of page.items) if (!all.some((x) => x.instanceId === i.instanceId)) all.push(i);
      if (page.items.length < 100 || pageNumber * 100 >= page.totalCount) return all;
    }
  }

  async #instance(account: CrawlAccount, regionId: string, instanceId: string): Promise<void> {
    const key = cursorKey({ account: account.name, regionId, instanceId });
    const cursor = parseCursor(this.#o.archive.cursors[key]);
    const deadline = Date.now() + (this.#o.instanceDeadlineMs ?? 600_000);
    const fetchResult = async (invokeId: string): Promise<ResultFetch> => {
      try {
        return await this.#call(account.name, regionId, 'DescribeInvocationResult', deadline, () =>
          account.api.describeInvocationResult({ regionId, instanceId, invokeId }),
        );
      } catch (error) {
        if (isFatal(error)) throw error;
        // Expired since it was listed: nothing to fetch. Anything else: try again next run.
        return error instanceof NotFoundError ? 'gone' : 'later';
      }
    };
    const io: WalkIo = {
      readPage: (pageNumber) =>
        this.#call(account.name, regionId, 'DescribeInvocations', deadline, () =>
          account.api.describeInvocations({ regionId, instanceId, pageNumber, pageSize: PAGE_SIZE }),
        ),
      fetchResult: this.#o.withResults ? fetchResult : undefined,
      emit: async (records, results) => {
        this.#recordsSeen += records.length;
        const observedAt = new Date();
        await this.#feeder.observations(
          records.map((r) =>
            observation(account.name, regionId, instanceId, r, observedAt, results.get(r.invokeId)),
          ),
        );
        this.#progress();
      },
    };
    const observedAt = new Date();
    try {
      const outcome = await walkInstance(io, {
        cursor,
        full: this.#o.full ?? false,
        retentionMs: this.#o.retentionMs ?? 14 * DAY,
        maxRevisitPages: MAX_REVISIT_PAGES,
      });
      const coverage: CoverageRecord = {
        account: account.name,
        regionId,
        instanceId,
        observedAt,
        complete: true,
        windowStart: date(outcome.windowStart),
        windowEnd: date(outcome.windowEnd),
        joinedPrevious: outcome.joinedPrevious,
        gapStart: date(outcome.gap?.start),
        gapEnd: date(outcome.gap?.end),
        gapReason: outcome.gap?.reason,
        detail:
          outcome.gap?.detail ??
          (cursor
            ? `${outcome.pages} page(s), ${outcome.records} record(s) read`
            : 'first run: the archive of this instance begins here'),
      };
      if (outcome.gap) this.#gap(coverage);
      for (const note of outcome.notes)
        this.#o.onEvent?.({ type: 'note', account: account.name, regionId, instanceId, message: note });
      await this.#feeder.instanceDone(coverage, key, outcome.cursor);
      this.#instancesComplete++;
      this.#o.onEvent?.({
        type: 'instance-done',
        account: account.name,
        regionId,
        instanceId,
        pages: outcome.pages,
        records: outcome.records,
        fullWalk: outcome.fullWalk,
      });
    } catch (error) {
      if (isFatal(error)) throw error;
      if (error instanceof NotFoundError && error.serverCode.startsWith('InvalidInstanceId')) {
        await this.#releasedInstance(account.name, regionId, instanceId, cursor);
      } else {
        const reason = message(error);
        this.#incomplete.push({ account: account.name, regionId, instanceId, reason });
        this.#o.onEvent?.({ type: 'instance-failed', account: account.name, regionId, instanceId, reason });
        const coverage: CoverageRecord = {
          account: account.name,
          regionId,
          instanceId,
          observedAt,
          complete: false,
          joinedPrevious: false,
          gapStart: date(cursor?.windowEnd),
          gapReason: 'instance-failed',
          detail: reason,
        };
        this.#gap(coverage);
        // The cursor stays where it was: the next run reads this instance again from the same edge.
        await this.#feeder.instanceDone(coverage, key, undefined);
      }
    } finally {
      this.#instancesDone++;
      this.#progress();
    }
  }

  /** An instance that disappeared: recorded with when it was last seen, and a gap after its last archived record. */
  async #releasedInstance(
    account: string,
    regionId: string,
    instanceId: string,
    known?: InstanceCursor,
  ): Promise<void> {
    const key = cursorKey({ account, regionId, instanceId });
    const cursor = known ?? parseCursor(this.#o.archive.cursors[key]);
    const now = new Date();
    this.#released.push({ account, regionId, instanceId });
    this.#o.onEvent?.({ type: 'instance-released', account, regionId, instanceId });
    await this.#feeder.instances([
      {
        account,
        regionId,
        instanceId,
        instanceName: '',
        status: 'Released',
        tags: [],
        releasedAt: now,
        observedAt: now,
      },
    ]);
    const coverage: CoverageRecord = {
      account,
      regionId,
      instanceId,
      observedAt: now,
      complete: false,
      joinedPrevious: false,
      gapStart: date(cursor?.windowEnd),
      gapReason: 'released',
      detail:
        cursor?.windowEnd === undefined
          ? 'instance released before any of its records could be archived'
          : 'instance released: records created after its last archived one (if any) can no longer be read',
    };
    this.#gap(coverage);
    const next: InstanceCursor = cursor
      ? { ...cursor, releasedAt: now.toISOString() }
      : {
          v: 1,
          order: 'unknown',
          edgeIds: [],
          pending: [],
          missingResults: [],
          total: 0,
          releasedAt: now.toISOString(),
        };
    await this.#feeder.instanceDone(coverage, key, next);
  }

  #gap(coverage: CoverageRecord): void {
    this.#gaps.push(coverage);
    this.#o.onEvent?.({
      type: 'gap',
      account: coverage.account,
      regionId: coverage.regionId,
      instanceId: coverage.instanceId,
      reason: coverage.gapReason ?? '',
      detail: coverage.detail ?? '',
    });
  }

  #call<T>(
    account: string,
    regionId: string,
    action: Action,
    deadline: number,
    call: () => Promise<T>,
  ): Promise<T> {
    const budget = this.#budgets.get(account, regionId, action);
    return callWithRetry(budget, call, deadline, {
      options: this.#retry,
      counters: this.#counters,
      clock: realClock,
      signal: this.#abort.signal,
    });
  }

  #progress(force = false): void {
    const now = Date.now();
    if (!this.#o.onProgress || (!force && now - this.#lastProgress < 500)) return;
    this.#lastProgress = now;
    const elapsedMs = now - this.#startedAt.getTime();
    const left = this.#instancesTotal - this.#instancesDone;
    const progress: CrawlProgress = {
      instancesTotal: this.#instancesTotal,
      instancesDone: this.#instancesDone,
      callsByAction: this.#budgets.callsByAction(),
      recordsSeen: this.#recordsSeen,
      recordsNew: this.#feeder.totals.newInvocations,
      recordsChanged: this.#feeder.totals.changedInvocations,
      throttles: this.#counters.throttles,
      retries: this.#counters.retries,
      elapsedMs,
      etaMs: this.#instancesDone > 0 ? Math.round((elapsedMs / this.#instancesDone) * left) : undefined,
    };
    this.#o.onProgress(progress);
  }
}

/** Errors that stop the whole run (see `ERROR_CODES`): nothing else can succeed with the same credentials, settings or archive. */
const isFatal = (error: unknown): boolean => crawlDecisionOf(error) === 'stop-run';

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const date = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms));

function observation(
  account: string,
  regionId: string,
  instanceId: string,
  inv: Invocation,
  observedAt: Date,
  result?: InvocationResult,
): InvocationObservation {
  const obs: InvocationObservation = {
    account,
    regionId,
    instanceId,
    invokeId: inv.invokeId,
    creationTime: inv.creationTime,
    invocationStatus: inv.invocationStatus,
    invokeStatus: inv.invokeStatus,
    commandType: inv.commandType,
    commandName: inv.commandName,
    commandContent: inv.commandContent,
    commandContentBase64: inv.commandContentBase64,
    parameters: inv.parameters,
    observedAt,
  };
  if (result) {
    const r: ObservedResult = {
      exitCode: result.exitCode,
      output: result.output,
      outputBase64: result.outputBase64,
      errorCode: result.errorCode,
      errorInfo: result.errorInfo,
      startTime: result.startTime,
      finishedTime: result.finishedTime,
      invokeUser: result.invokeUser,
    };
    obs.result = r;
  }
  return obs;
}

function instanceObservation(account: string, i: Instance, observedAt: Date): InstanceObservation {
  return { account, ...i, observedAt };
}

function validate(o: CrawlOptions): void {
  if (!o.accounts?.length)
    throw new CrawlConfigurationError('give at least one account to crawl', 'accounts');
  const names = o.accounts.map((a) => a.name);
  const bad = names.find((n) => !/^[\w.@-]{1,64}$/.test(n));
  if (bad !== undefined)
    throw new CrawlConfigurationError(
      `account name "${bad}" must be 1–64 letters, digits or ._@-`,
      'accounts',
    );
  if (new Set(names).size !== names.length)
    throw new CrawlConfigurationError('account names must be distinct', 'accounts');
  const positive = (name: string, v: number | undefined) => {
    if (v !== undefined && (!Number.isFinite(v) || v <= 0))
      throw new CrawlConfigurationError(`Expected \`${name}\` to be a number > 0, got ${v}`, name);
  };
  positive('commitEvery', o.commitEvery);
  positive('instanceDeadlineMs', o.instanceDeadlineMs);
  positive('retentionMs', o.retentionMs);
  positive('retry.attempts', o.retry?.attempts);
  resolveBudgets(o.budgets);
}
