import type { ArchivedInvocation, LateResult } from '@swas-archive/archive';
import type { InstanceCursor } from './instance-cursor.js';
import { type InstanceRef, refOf } from './instance-ref.js';
import type { InstanceWalk } from './instance-walk.js';
import type { ResultFetch } from './page-reader.js';
import { observedResult } from './record-mapping.js';

/** Results asked for at once for one instance's archived invocations. */
const PARALLEL = 4;
/** Late results handed to the archive at a time. */
const BATCH = 500;

/** What fetching results for archived invocations did, for one instance or a run. */
export interface LateResultCounts {
  /** Results fetched and archived. */
  fetched: number;
  /** Invocations the service no longer holds: their result can never be fetched. */
  expired: number;
  /** Left for the next run (a transient failure, the deadline, or a stop). */
  left: number;
}

/** What {@link fetchLateResults} needs: the archive's backlog, a budgeted fetch, and where results go. */
export interface LateResultIo {
  backlog(where: InstanceRef, since: Date): Promise<ArchivedInvocation[]>;
  fetchResult(invokeId: string): Promise<ResultFetch>;
  archive(batch: LateResult[]): Promise<void>;
  /** Whether to stop asking (the run was stopped, or the instance's deadline passed). */
  stopped(): boolean;
}

/**
 * Fetches the results of an instance's archived invocations that became final without one (earlier runs
 * without `withResults`), oldest first: those nearest to expiring from the service go first. Skips what
 * this run's walk asked for already; keeps `cursor.missingResults` to the ids still to fetch.
 */
export async function fetchLateResults(
  io: LateResultIo,
  where: InstanceRef,
  since: Date,
  walk: InstanceWalk,
  cursor: InstanceCursor,
): Promise<LateResultCounts> {
  const counts: LateResultCounts = { fetched: 0, expired: 0, left: 0 };
  const todo = (await io.backlog(refOf(where), since)).filter((inv) => !walk.askedResult(inv.invokeId));
  const done = new Set<string>();
  let batch: LateResult[] = [];
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < todo.length; i = next++) {
      if (io.stopped()) return;
      const invocation = todo[i] as ArchivedInvocation;
      const answer = await io.fetchResult(invocation.invokeId);
      if (answer === 'later') continue;
      done.add(invocation.invokeId);
      if (answer === 'gone') counts.expired++;
      else {
        counts.fetched++;
        batch.push({ invocation, result: observedResult(answer), observedAt: new Date() });
        if (batch.length >= BATCH) {
          const full = batch;
          batch = [];
          await io.archive(full);
        }
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(PARALLEL, todo.length) }, worker));
  } finally {
    if (batch.length > 0) await io.archive(batch);
    counts.left = todo.length - done.size;
    cursor.missingResults = cursor.missingResults.filter((m) => !done.has(m.id));
  }
  return counts;
}
