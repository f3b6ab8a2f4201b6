import type {
  CoverageRecord,
  InstanceObservation,
  InvocationObservation,
  LateResult,
  RunRecord,
} from '@swas-archive/archive';
import type { ArchiveWriter, CommitSummary, SnapshotSink } from './archive-writer.js';
import type { Clock } from './clock.js';
import type { InstanceCursor } from './instance-cursor.js';

/** Totals over every snapshot a run committed. */
export interface FeedTotals {
  snapshots: number;
  skipped: number;
  newInvocations: number;
  changedInvocations: number;
}

/** When {@link SnapshotFeeder} commits, and on which clock. */
export interface FeederOptions {
  /** Most observations in one snapshot. */
  commitEvery: number;
  /** Longest time anything read waits uncommitted, ms. */
  commitIntervalMs: number;
  clock: Clock;
  /**
   * After an instance is done, its cursor is committed once this long has passed since the last commit.
   * @default half of `commitIntervalMs`
   */
  instanceCommitMs?: number;
  /** Observations gathered before they are staged (each staging call has a fixed cost). @default 5000 */
  stageEvery?: number;
  /** Observations buffered before callers must wait (while a commit runs they keep coming). @default 20000 */
  maxBuffered?: number;
}

/**
 * Feeds one run's records to the archive as a sequence of bounded snapshots. Observations are staged as
 * they come; a snapshot is committed every `commitEvery` of them, at least every `commitIntervalMs` while
 * anything is pending, and soon after an instance is done; an instance's cursor and coverage join the
 * snapshot open when the instance is done, so a cursor is committed with (or after) all the data it
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
  #lastCommit: number;
  /** Whether anything waits to be committed, and whether a cursor does. */
  #pending = false;
  #cursorPending = false;
  readonly #ticker = new AbortController();
  readonly #options: Required<FeederOptions>;

  constructor(
    private readonly archive: ArchiveWriter,
    private readonly runId: string,
    /** Totals over every snapshot committed, kept up to date here. */
    readonly totals: FeedTotals,
    options: FeederOptions,
  ) {
    this.#options = {
      instanceCommitMs: options.commitIntervalMs / 2,
      stageEvery: 5000,
      maxBuffered: 20_000,
      ...options,
    };
    this.#lastCommit = options.clock.now();
    void this.#tick();
  }

  /** Commits on time: checks every few seconds whether something has waited long enough. */
  async #tick(): Promise<void> {
    const { clock, commitIntervalMs, instanceCommitMs } = this.#options;
    const every = Math.max(250, Math.min(commitIntervalMs, instanceCommitMs) / 4);
    for (;;) {
      try {
        await clock.sleep(every, this.#ticker.signal);
      } catch {
        return; // stopped: the run commits its last snapshot itself
      }
      const waited = clock.now() - this.#lastCommit;
      const due =
        (this.#cursorPending && waited >= instanceCommitMs) || (this.#pending && waited >= commitIntervalMs);
      if (due) this.#background(() => this.#commit());
    }
  }

  /** Stops committing on time (the run's last commit is `finish`). */
  stop(): void {
    this.#ticker.abort();
  }

  /**
   * Takes a batch of observations. Staging and commits run in the background, so crawling goes on while
   * a commit writes Parquet; a caller waits only when more than `maxBuffered` observations are waiting.
   */
  async observations(batch: readonly InvocationObservation[]): Promise<void> {
    if (this.#failure) throw this.#failure;
    for (const observation of batch) this.#buffer.push(observation);
    if (batch.length > 0) this.#pending = true;
    if (this.#buffer.length < this.#options.stageEvery) return;
    const work = this.#background(async () => {
      await this.#stage();
      if (this.#current().stagedObservations >= this.#options.commitEvery) await this.#commit();
    });
    if (this.#buffer.length > this.#options.maxBuffered) await work;
  }

  /** Runs `work` in turn, in the background: its failure is kept for the next caller. */
  #background(work: () => Promise<void>): Promise<void> {
    const done = this.#serial(work);
    done.catch((error: unknown) => {
      this.#failure ??= error;
    });
    return done;
  }

  /** Results fetched later for archived invocations, into the open snapshot. */
  lateResults(batch: readonly LateResult[]): Promise<void> {
    this.#pending = true;
    return this.#serial(() => this.#current().addLateResults(batch));
  }

  /** Instance metadata, into the open snapshot. */
  instances(batch: readonly InstanceObservation[]): Promise<void> {
    this.#pending = true;
    return this.#serial(() => this.#current().addInstances(batch));
  }

  /**
   * An instance is done: its coverage and its new cursor (none: the cursor stays where it was) join the
   * snapshot that holds (or follows) its data.
   */
  instanceDone(
    coverage: readonly CoverageRecord[],
    cursorKey: string,
    cursor: InstanceCursor | undefined,
  ): Promise<void> {
    return this.#serial(async () => {
      // The instance's observations must be in the snapshot its cursor joins.
      await this.#stage();
      await this.#current().addCoverage([...coverage]);
      if (cursor !== undefined) this.#current().setCursors({ [cursorKey]: cursor });
      this.#pending = true;
      this.#cursorPending = true;
      if (this.#options.clock.now() - this.#lastCommit >= this.#options.instanceCommitMs)
        await this.#commit();
    });
  }

  /** Commits whatever is staged (observations, coverage, cursors) as one snapshot. */
  commitPending(): Promise<void> {
    return this.#serial(() => this.#commit());
  }

  /** Writes the run's row into a last snapshot and commits it; no commit on time after it. */
  finish(run: RunRecord): Promise<void> {
    this.stop();
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
    this.#lastCommit = this.#options.clock.now();
    this.#pending = false;
    this.#cursorPending = false;
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
