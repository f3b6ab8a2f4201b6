import type {
  CoverageRecord,
  InstanceObservation,
  InvocationObservation,
  RunRecord,
} from '@swas-archive/archive';
import type { ArchiveWriter, CommitSummary, SnapshotSink } from './archive-writer.js';

/** Totals over every commit of a run. */
export interface FeedTotals {
  commits: number;
  written: number;
  skipped: number;
  newInvocations: number;
  changedInvocations: number;
}

/**
 * Feeds one run's records to the archive in bounded snapshots: observations are staged as they come and
 * committed every `commitEvery` of them; an instance's cursor and coverage join the snapshot when the
 * instance is done, so a cursor is committed with (or after) all the data it covers. Calls are serialised:
 * many instances are crawled at once, one snapshot is written at a time.
 */
export class SnapshotFeeder {
  #snapshot?: SnapshotSink;
  #chain: Promise<unknown> = Promise.resolve();
  readonly totals: FeedTotals = {
    commits: 0,
    written: 0,
    skipped: 0,
    newInvocations: 0,
    changedInvocations: 0,
  };

  constructor(
    private readonly archive: ArchiveWriter,
    private readonly runId: string,
    private readonly commitEvery: number,
  ) {}

  observations(batch: readonly InvocationObservation[]): Promise<void> {
    return this.#serial(async () => {
      await this.#current().addObservations(batch);
      if (this.#current().stagedObservations >= this.commitEvery) await this.#commit();
    });
  }

  instances(batch: readonly InstanceObservation[]): Promise<void> {
    return this.#serial(() => this.#current().addInstances(batch));
  }

  /** An instance is done: its coverage and its new cursor join the snapshot that holds (or follows) its data. */
  instanceDone(coverage: CoverageRecord, cursorKey: string, cursor: unknown): Promise<void> {
    return this.#serial(async () => {
      await this.#current().addCoverage([coverage]);
      if (cursor !== undefined) this.#current().setCursors({ [cursorKey]: cursor });
    });
  }

  /** Commits whatever is staged (observations, coverage, cursors). */
  commitPending(): Promise<void> {
    return this.#serial(() => this.#commit());
  }

  /** Writes the run's row and commits what is left. */
  finish(run: RunRecord): Promise<void> {
    return this.#serial(async () => {
      await this.#current().setRun(run);
      await this.#commit();
    });
  }

  #current(): SnapshotSink {
    this.#snapshot ??= this.archive.beginSnapshot(this.runId);
    return this.#snapshot;
  }

  async #commit(): Promise<void> {
    const snapshot = this.#snapshot;
    if (!snapshot) return;
    this.#snapshot = undefined;
    const result: CommitSummary = await snapshot.commit();
    this.totals.commits++;
    this.totals.written += result.rows.invocation_observations ?? 0;
    this.totals.skipped += result.skipped;
    this.totals.newInvocations += result.newInvocations;
    this.totals.changedInvocations += result.changedInvocations;
  }

  #serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#chain.then(work, work);
    this.#chain = next.catch(() => undefined);
    return next;
  }
}
