import type { CoverageRecord } from '@swas-archive/archive';
import type { ArchiveWriter } from './archive-writer.js';
import type { Action } from './budget-registry.js';
import { completeCoverage, failedCoverage, releasedCoverage, stoppedCoverage } from './coverage-records.js';
import type { CrawlAccount, ResolvedCrawlOptions } from './crawl-options.js';
import { measuredRate } from './deadline-schedule.js';
import { isInstanceGone, isNotFound, messageOf, stopsTheRun } from './failure-policy.js';
import { splitGap, withSpans } from './held-spans.js';
import { hasEdge, type InstanceCursor } from './instance-cursor.js';
import type { InstanceOutcome } from './instance-outcome.js';
import { cursorKey, type InstanceRef } from './instance-ref.js';
import { InstanceWalk, MAX_REVISIT_PAGES } from './instance-walk.js';
import { fetchLateResults } from './late-results.js';
import { PAGE_SIZE, type ResultFetch, type WalkIo } from './page-reader.js';
import { invocationObservation, releasedInstanceObservation } from './record-mapping.js';
import type { RunTally } from './run-tally.js';
import type { ServerFloors } from './server-floor.js';
import type { SnapshotFeeder } from './snapshot-feeder.js';

/** One API call of the run: budgeted for its (account, region, action), retried until `deadline`. */
export type CallApi = <T>(
  account: string,
  regionId: string,
  action: Action,
  deadline: number,
  call: () => Promise<T>,
) => Promise<T>;

/** What an instance task needs from its run. */
export interface RunContext {
  readonly options: ResolvedCrawlOptions;
  readonly feeder: SnapshotFeeder;
  readonly tally: RunTally;
  readonly call: CallApi;
  /** Whether the run was told to stop (its signal aborted): walks in progress then leave partial cursors. */
  stopped(): boolean;
  /** The archive the run writes (open once the run has started crawling instances). */
  readonly archive: ArchiveWriter;
  /** Per account, the newest creation time seen (stored cursors and this run's walks). */
  readonly floors: ServerFloors;
}

/**
 * Crawls one instance: its cursor → the walk → coverage and the new cursor into the open snapshot. A
 * released instance is recorded as such; any other failure fails this instance only, and its cursor stays
 * where it was. Throws only what stops the run. `ageBound`: the region's records live the full retention
 * (see `WalkOptions`).
 */
export async function crawlInstance(
  run: RunContext,
  account: CrawlAccount,
  where: InstanceRef,
  cursor: InstanceCursor | undefined,
  ageBound = false,
): Promise<void> {
  const { options, tally } = run;
  const deadline = options.clock.now() + options.instanceDeadlineMs;
  const observedAt = new Date(options.clock.now());
  const coveredTo = run.floors.of(where.account);
  const full = options.full || !hasEdge(cursor) || cursor.order === 'unordered';
  tally.estimate.started(where.account, where.regionId, full);
  const walk = new InstanceWalk(walkIo(run, account, where, deadline, full), {
    cursor,
    full: options.full,
    retentionMs: options.retentionMs,
    maxRevisitPages: MAX_REVISIT_PAGES,
    now: () => options.clock.now(),
    ageBound,
  });
  try {
    const outcome = await walk.run();
    if (options.withResults && run.archive.invocationsWithoutResult)
      await lateResults(run, account, where, walk, outcome, deadline);
    const read = walk.newerThan(cursor?.windowEnd);
    const rate = measuredRate(cursor, observedAt.getTime(), read.count, read.oldest);
    outcome.cursor = {
      ...outcome.cursor,
      checkedAt: observedAt.getTime(),
      ratedAt: observedAt.getTime(),
      ...(Number.isFinite(coveredTo) ? { coveredTo } : {}),
      ...(rate === undefined ? {} : { rate }),
    };
    run.floors.saw(where.account, outcome.windowEnd);
    const spans = walk.spans();
    outcome.cursor = withSpans(outcome.cursor, spans);
    const coverage = splitGap(completeCoverage(where, observedAt, outcome, cursor), spans);
    for (const message of outcome.notes) options.onEvent({ type: 'note', ...where, message });
    await instanceDone(run, coverage, cursorKey(where), outcome.cursor);
    tally.instancesComplete++;
    const { pages, records, fullWalk } = outcome;
    tally.estimate.finished(where.account, where.regionId, where.instanceId, pages, full);
    options.onEvent({ type: 'instance-done', ...where, pages, records, fullWalk });
  } catch (error) {
    if (run.stopped()) {
      await recordStopped(run, where, observedAt, walk, cursor);
      return;
    }
    if (stopsTheRun(error)) throw error;
    if (isInstanceGone(error)) {
      await recordReleased(run, where, cursor);
    } else {
      const reason = messageOf(error);
      tally.incomplete.push({ ...where, reason });
      options.onEvent({ type: 'instance-failed', ...where, reason });
      const coverage = failedCoverage(where, observedAt, cursor, reason, walk.partial()?.windowStart);
      // No new cursor: the next run reads this instance again from the same edge.
      await instanceDone(run, splitGap(coverage, walk.spans()), cursorKey(where), undefined);
    }
  } finally {
    tally.done(where.account, where.regionId);
    tally.progress();
  }
}

/**
 * An instance whose walk the run stopped (Ctrl-C, SIGTERM, a time limit): what it read is committed with a
 * cursor that lets the next run go on from there (none when it proved nothing new: the next run walks it
 * as it would have).
 */
async function recordStopped(
  run: RunContext,
  where: InstanceRef,
  observedAt: Date,
  walk: InstanceWalk,
  previous: InstanceCursor | undefined,
): Promise<void> {
  run.tally.stopped.push(where);
  const partial = walk.partial();
  const spans = walk.spans();
  const coverage = splitGap(stoppedCoverage(where, observedAt, partial), spans);
  // The rate and the last walk to the end stay what they were: a stopped walk measures neither. When it
  // moved the edge, the next walk measures what is newer than the new edge from when this one began.
  const { rate, checkedAt, coveredTo } = previous ?? {};
  const moved = partial !== undefined && partial.cursor.windowEnd !== previous?.windowEnd;
  const ratedAt = moved ? observedAt.getTime() : previous?.ratedAt;
  // A walk that proved nothing new keeps the cursor it began from, with the spans it archived.
  const next = partial?.cursor ?? previous;
  const cursor = next && {
    ...withSpans(next, spans),
    ...(rate === undefined ? {} : { rate }),
    ...(checkedAt === undefined ? {} : { checkedAt }),
    ...(coveredTo === undefined ? {} : { coveredTo }),
    ...(ratedAt === undefined ? {} : { ratedAt }),
  };
  await instanceDone(run, coverage, cursorKey(where), cursor);
}

/** An instance that disappeared: recorded with when it was found gone, and a gap after its last archived record. */
export async function recordReleased(
  run: RunContext,
  where: InstanceRef,
  cursor: InstanceCursor | undefined,
): Promise<void> {
  const now = new Date(run.options.clock.now());
  run.tally.released.push(where);
  run.options.onEvent({ type: 'instance-released', ...where });
  await run.feeder.instances([releasedInstanceObservation(where, now)]);
  const coverage = splitGap(releasedCoverage(where, now, cursor), cursor?.held ?? []);
  const releasedAt = now.toISOString();
  const next: InstanceCursor = cursor
    ? { ...cursor, releasedAt }
    : { v: 1, order: 'unknown', edgeIds: [], pending: [], missingResults: [], total: 0, releasedAt };
  await instanceDone(run, coverage, cursorKey(where), next);
}

/** The instance's coverage (a record per part of its gap) and cursor into the snapshot; each gap reported. */
async function instanceDone(
  run: RunContext,
  coverage: CoverageRecord[],
  key: string,
  cursor: InstanceCursor | undefined,
): Promise<void> {
  for (const part of coverage) {
    if (!part.gapReason) continue;
    run.tally.gaps.push(part);
    const { account, regionId, instanceId } = part;
    const detail = part.detail ?? '';
    run.options.onEvent({ type: 'gap', account, regionId, instanceId, reason: part.gapReason, detail });
  }
  await run.feeder.instanceDone(coverage, key, cursor);
}

/**
 * Results of the instance's archived invocations that became final without one: fetched after the walk,
 * within the instance's deadline; a stop keeps what was fetched. Counted in the run's tally.
 */
async function lateResults(
  run: RunContext,
  account: CrawlAccount,
  where: InstanceRef,
  walk: InstanceWalk,
  outcome: InstanceOutcome,
  deadline: number,
): Promise<void> {
  const { options, tally } = run;
  const archive = run.archive;
  const backlog = archive.invocationsWithoutResult?.bind(archive);
  if (!backlog) return;
  const fetch = resultFetcher(run, account, where, deadline);
  try {
    const counts = await fetchLateResults(
      {
        backlog,
        fetchResult: fetch,
        archive: (batch) => run.feeder.lateResults(batch),
        stopped: () => run.stopped() || options.clock.now() > deadline,
      },
      where,
      // The newest record read tells the service's time better than the local clock does; a day more than
      // the retention finds (and counts) those that expired lately, which the service answers as gone.
      new Date((outcome.windowEnd ?? options.clock.now()) - options.retentionMs - 86_400_000),
      walk,
      outcome.cursor,
    );
    tally.addLateResults(counts);
  } catch (error) {
    // Stopped while fetching: what was fetched is archived; the rest is asked for by the next run.
    if (!run.stopped()) throw error;
  }
}

/** A budgeted `DescribeInvocationResult` for this instance: gone (expired) or later (try next run) on failure. */
function resultFetcher(
  run: RunContext,
  account: CrawlAccount,
  where: InstanceRef,
  deadline: number,
): (invokeId: string) => Promise<ResultFetch> {
  const { regionId, instanceId } = where;
  return async (invokeId) => {
    run.tally.estimate.resultAsked(where.account, regionId);
    try {
      return await run.call(account.name, regionId, 'DescribeInvocationResult', deadline, () =>
        account.api.describeInvocationResult({ regionId, instanceId, invokeId }),
      );
    } catch (error) {
      if (stopsTheRun(error)) throw error;
      // Expired since it was listed: nothing to fetch. Anything else: try again next run.
      return isNotFound(error) ? 'gone' : 'later';
    }
  };
}

/** The walk's three calls, over this run's budgets, archive and tally. */
function walkIo(
  run: RunContext,
  account: CrawlAccount,
  where: InstanceRef,
  deadline: number,
  full: boolean,
): WalkIo {
  const { regionId, instanceId } = where;
  const fetchResult = resultFetcher(run, account, where, deadline);
  return {
    readPage: async (pageNumber) => {
      const page = await run.call(account.name, regionId, 'DescribeInvocations', deadline, () =>
        account.api.describeInvocations({ regionId, instanceId, pageNumber, pageSize: PAGE_SIZE }),
      );
      run.tally.estimate.pageRead(where.account, regionId, instanceId, page.totalCount, full);
      return page;
    },
    fetchResult: run.options.withResults ? fetchResult : undefined,
    emit: async (records, results) => {
      run.tally.recordsSeen += records.length;
      const observedAt = new Date(run.options.clock.now());
      await run.feeder.observations(
        records.map((r) => invocationObservation(where, r, observedAt, results.get(r.invokeId))),
      );
      run.tally.progress();
    },
  };
}
