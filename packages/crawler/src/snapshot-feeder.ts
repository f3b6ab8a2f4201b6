import type {
  CoverageRecord,
  InstanceObservation,
  InvocationObservation,
  RunRecord,
} from '@swas-archive/archive';
import type { ArchiveWriter, CommitSummary, SnapshotSink } from './archive-writer.js';
import type { InstanceCursor } from './instance-cursor.js';

/** Totals over every snapshot a run committed. */
export interface FeedTotals {
  snapshots: number;
  skipped: number;
  newInvocations: number;
  changedInvocations: number;
}

/**
 * Feeds one run's records to the archive as a sequence of bounded snapshots: observations are staged as
 * they come and a snapshot is committed every `commitEvery` of them; an instance's cursor and coverage join
 * the snapshot open when the instance is done, so a cursor is committed with (or after) all the data it
 * covers. Calls are serialised: many instances are crawled at once, one snapshot is written at a time.
 */
export class SnapshotFeeder {
  /** The snapshot open now, begun on first use after the previous commit. */
  #snapshot?: SnapshotSink;
  #chain: Promise<unknown> = Promise.resolve();
  /** Observations not yet staged: each staging call has a fixed cost, so pages are gathered first. */
  #buffer: InvocationObservation[] = [];
  /** The first failure of background staging or committing, thrown to the next caller. */
  #failure?: unknown;
  readonly totals: FeedTotals = { snapshots: 0, skipped: 0, newInvocations: 0, changedInvocations: 0 };

  constructor(
    private readonly archive: ArchiveWriter,
    private readonly runId: string,
    private readonly commitEvery: number,
    private readonly stageEvery = 5000,
    /** Observations buffered before callers must wait (while a commit runs they keep coming). */
    private readonly maxBuffered = 20_000,
  ) {}

  /**
   * Takes a batch of observations. Staging and commits run in the background, so crawling goes on while
   * a commit writes Parquet; a caller waits only when more than `maxBuffered` observations are waiting.
   */
  async observations(batch: readonly InvocationObservation[]): Promise<void> {
    if (this.#failure) throw this.#failure;
    for (const observation of batch) this.#buffer.push(observation);
    if (this.#buffer.length < this.stageEvery) return;
    const work = this.#serial(async () => {
      await this.#stage();
      if (this.#current().stagedObservations >= this.commitEvery) await this.#commit();
    });
    work.catch((error: unknown) => {
      this.#failure ??= error;
    });
    if (this.#buffer.length > this.maxBuffered) await work;
  }

  /** Instance metadata, into the open snapshot. */
  instances(batch: readonly InstanceObservation[]): Promise<void> {
    return this.#serial(() => this.#current().addInstances(batch));
  }

  /**
   * An instance is done: its coverage and its new cursor (none: the cursor stays where it was) join the
   * snapshot that holds (or follows) its data.
   */
  instanceDone(
    coverage: CoverageRecord,
    cursorKey: string,
    cursor: InstanceCursor | undefined,
  ): Promise<void> {
    return this.#serial(async () => {
      // The instance's observations must be in the snapshot its cursor joins.
      await this.#stage();
      await this.#current().addCoverage([coverage]);
      if (cursor !== undefined) this.#current().setCursors({ [cursorKey]: cursor });
    });
  }

  /** Commits whatever is staged (observations, coverage, cursors) as one snapshot. */
  commitPending(): Promise<void> {
    return this.#serial(() => this.#commit());
  }

  /** Writes the run's row into a last snapshot and commits it. */
  finish(run: RunRecord): Promise<void> {
    return this.#serial(async () => {
      await this.#current().setRun(run);
      await this.#commit();
    });
  }

  async #stage(): Promise<void> {
    if (this.#buffer.length === 0) return;
    const batch = this.#buffer;
    this.#buffer = [];
    await this.#current().addObservations(batch);
  }

  #current(): SnapshotSink {
    this.#snapshot ??= this.archive.beginSnapshot(this.runId);
    return this.#snapshot;
  }

  async #commit(): Promise<void> {
    await this.#stage();
    const snapshot = this.#snapshot;
    if (!snapshot) return;
    this.#snapshot = undefined;
    const result: CommitSummary = await snapshot.commit();
    this.totals.snapshots++;
    this.totals.skipped += result.skipped;
    this.totals.newInvocations += result.newInvocations;
    this.totals.changedInvocations += result.changedInvocations;
  }

  #serial<T>(work: () => Promise<T>): Promise<T> {
    const guarded = async () => {
      if (this.#failure) throw this.#failure;
      return work();
    };
    const next = this.#chain.then(guarded, guarded);
    this.#chain = next.catch(() => undefined);
    return next;
  }
}
