import type {
  CoverageRecord,
  InstanceObservation,
  InvocationObservation,
  RunRecord,
} from '@swas-archive/archive';

/** What a commit reports back (the archive's `CommitResult` satisfies it). */
export interface CommitSummary {
  rows: { invocation_observations?: number };
  skipped: number;
  newInvocations: number;
  changedInvocations: number;
}

/** One snapshot being written (the archive's `SnapshotWriter` satisfies it). */
export interface SnapshotSink {
  addObservations(batch: readonly InvocationObservation[]): Promise<void>;
  addInstances(batch: readonly InstanceObservation[]): Promise<void>;
  addCoverage(batch: readonly CoverageRecord[]): Promise<void>;
  setRun(run: RunRecord): Promise<void>;
  setCursors(cursors: Record<string, unknown>): void;
  commit(): Promise<CommitSummary>;
  abort(): Promise<void>;
  readonly stagedObservations: number;
}

/**
 * Where the crawler writes. The archive package's `Archive` is the production implementation; the
 * crawler depends only on this shape.
 */
export interface ArchiveWriter {
  readonly cursors: Readonly<Record<string, unknown>>;
  beginSnapshot(runId: string): SnapshotSink;
}
