import type {
  ArchivedInvocation,
  CoverageRecord,
  InstanceObservation,
  InvocationObservation,
  LateResult,
  RunRecord,
} from '@swas-archive/archive';

/** What a commit reports back (the archive's `CommitResult` satisfies it). */
export interface CommitSummary {
  /** Observations the archive already held unchanged. */
  skipped: number;
  /** Invocations archived for the first time. */
  newInvocations: number;
  /** Invocations archived with a new state. */
  changedInvocations: number;
}

/** One snapshot being written: what one atomic commit adds (the archive's `SnapshotWriter` satisfies it). */
export interface SnapshotSink {
  addObservations(batch: readonly InvocationObservation[]): Promise<void>;
  addInstances(batch: readonly InstanceObservation[]): Promise<void>;
  addCoverage(batch: readonly CoverageRecord[]): Promise<void>;
  setRun(run: RunRecord): Promise<void>;
  /** Results fetched later for archived invocations, archived as new observations of them. */
  addLateResults(batch: readonly LateResult[]): Promise<void>;
  /** Cursors to store with this snapshot's data, by key (`account/region/instance`). */
  setCursors(cursors: Record<string, unknown>): void;
  /** Makes everything added visible at once, or nothing. */
  commit(): Promise<CommitSummary>;
  /** Observations added and not yet committed. */
  readonly stagedObservations: number;
}

/**
 * Where the crawler writes: a run commits one or more snapshots into it. The archive package's `Archive` is
 * the production implementation; the crawler depends only on this shape.
 */
export interface ArchiveWriter {
  /** The stored cursors by key, as committed; the crawler parses each once when a run starts. */
  readonly cursors: Readonly<Record<string, unknown>>;
  /** Starts the next snapshot of run `runId`. */
  beginSnapshot(runId: string): SnapshotSink;
  /**
   * The instance's archived invocations created at `since` or later that are final and have no result,
   * oldest first: a run with results fetches them too (absent: archived results are not looked for).
   */
  invocationsWithoutResult?(
    where: { account: string; regionId: string; instanceId: string },
    since: Date,
  ): Promise<ArchivedInvocation[]>;
}
