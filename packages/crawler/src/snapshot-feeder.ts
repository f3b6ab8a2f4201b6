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
  /** Observations not yet staged: each staging call has a fixed cost, so pages are gathered first. */
  #buffer: InvocationObservation[] = [];
  /** The first failure of background staging or committing, thrown to the next caller. */
  #failure?: unknown;
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
    this.#buffer.push(...batch);
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

  async #stage(): Promise<void> {
    if (this.#buffer.length === 0) return;
    const batch = this.#buffer;
    this.#buffer = [];
    await this.#current().addObservations(batch);
  }

  instances(batch: readonly InstanceObservation[]): Promise<void> {
    return this.#serial(() => this.#current().addInstances(batch));
  }

  /** An instance is done: its coverage and its new cursor join the snapshot that holds (or follows) its data. */
  instanceDone(coverage: CoverageRecord, cursorKey: string, cursor: unknown): Promise<void> {
    return this.#serial(async () => {
      // The instance's observations must be in the snapshot its cursor joins.
      await this.#stage();
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
    await this.#stage();
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
    const guarded = async () => {
      if (this.#failure) throw this.#failure;
      return work();
    };
    const next = this.#chain.then(guarded, guarded);
    this.#chain = next.catch(() => undefined);
    return next;
  }
}
