import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { type ArchiveOptions, type ArchiveSettings, resolveArchiveOptions } from './archive-options.js';
import { prepareArchiveRoot } from './archive-root.js';
import { type ArchivedInvocation, invocationsWithoutResult } from './archived-invocation.js';
import { type Catalog, readCatalog } from './catalog.js';
import { newSnapshotId, type Recovery, recover, SPILL_PREFIX, STAGING_DIR } from './commit-journal.js';
import { type CompactionOptions, type CompactionResult, compactPartitions } from './compaction.js';
import { upgradeDailyCounts } from './daily-counts.js';
import { diskErrorOf } from './disk-error.js';
import { ArchiveUsageError } from './errors.js';
import { upgradeLatestState } from './latest-state-upgrade.js';
import { refuseWhileShardsRun, shardLockName, takeShardLease } from './shard-lease.js';
import { type SnapshotOptions, SnapshotWriter } from './snapshot-writer.js';
import { type VerifyReport, verifyFiles } from './verify.js';
import { type LockOwner, WriterLock } from './writer-lock.js';

/**
 * An archive open for writing. One writer at a time (a lock file with stale-lock detection), or several
 * shards taking turns at the lock, one commit each; readers never take the lock and are never blocked.
 * Opening finishes any commit a crash interrupted.
 */
export class Archive {
  #catalog: Catalog;
  #active?: SnapshotWriter;
  #reader?: DuckDBConnection;
  /** The writer lock while held: for the whole run (one writer), or during a commit (a shard's turn). */
  #lock?: WriterLock;

  private constructor(
    private readonly settings: ArchiveSettings,
    /** What opening finished or discarded of commits a crash interrupted. */
    readonly recovery: Recovery,
    catalog: Catalog,
    private readonly db: DuckDBInstance,
    private readonly con: DuckDBConnection,
    lock: WriterLock | undefined,
    /** A shard's lease on the archive, held for its run. */
    private readonly lease: WriterLock | undefined,
    /** The dead writer whose lock opening took over, if it did. */
    readonly lockTakenOverFrom: LockOwner | undefined,
  ) {
    this.#catalog = catalog;
    this.#lock = lock;
  }

  /** See {@link openArchive}. */
  static async open(options: ArchiveOptions): Promise<Archive> {
    const settings = resolveArchiveOptions(options);
    const { root, shard, lockStaleMs } = settings;
    await prepareArchiveRoot(root);
    // A shard: its lease for the run, then a turn at the writer lock to recover and upgrade.
    const lease = shard ? await takeShardLease(root, lockStaleMs, shard) : undefined;
    let lock: WriterLock | undefined;
    try {
      lock = await WriterLock.acquire(root, lockStaleMs, lease ? { mode: 'commit', waitForTurn: true } : {});
      if (!lease) await refuseWhileShardsRun(root, lockStaleMs);
      // Other shards' DuckDBs may be spilling to their folders under `_staging/`.
      const recovery = await recover(root, { keepSpill: lease !== undefined });
      const catalog = await readCatalog(root);
      // DuckDB spills to `_staging/duckdb-spill…` past its memory limit, and creates only the last folder.
      await mkdir(join(root, STAGING_DIR), { recursive: true });
      const spill = shard ? `${SPILL_PREFIX}${shardLockName(shard).slice(0, -'.lock'.length)}` : SPILL_PREFIX;
      const db = await DuckDBInstance.create(':memory:', {
        temp_directory: join(root, STAGING_DIR, spill),
        memory_limit: settings.memoryLimit,
        threads: String(settings.threads),
        // Memory a write freed goes back to the system soon, not at 128 MB outstanding (the default).
        allocator_flush_threshold: '16MB',
        allocator_bulk_deallocation_flush_threshold: '32MB',
      });
      const con = await db.connect();
      await con.run(`SET TimeZone = 'UTC'`); // partition dates and timestamps are UTC
      // Every write orders its rows itself; without this, DuckDB cannot bound a Parquet row group by bytes.
      await con.run('SET preserve_insertion_order = false');
      // An archive written before the latest-state dataset existed gets it now, from its history; one
      // written before the daily counts existed gets them from its latest state.
      const upgrade = {
        root,
        con,
        rowGroupSize: settings.rowGroupSize,
        budgetBytes: settings.writeBudgetBytes,
      };
      const withLatest = await upgradeLatestState({ ...upgrade, catalog });
      const current = await upgradeDailyCounts({ ...upgrade, catalog: withLatest });
      const tookOver = lease?.tookOverFrom ?? lock.tookOverFrom;
      // A shard gives its turn back until its first commit.
      if (lease) await lock.release();
      return new Archive(settings, recovery, current, db, con, lease ? undefined : lock, lease, tookOver);
    } catch (error) {
      // The error that stopped the open is the one to report; a lock we fail to release goes stale.
      await lock?.release().catch(() => undefined);
      await lease?.release().catch(() => undefined);
      // Finishing an earlier commit (its journal) on a full or read-only disk: the next open on a healthy one.
      throw (await diskErrorOf(error, root, true)) ?? error;
    }
  }

  /**
   * Holds the right to commit: the run's lock (one writer), or a shard's turn at the writer lock, after
   * which the commits of the other shards are finished and their catalog is the one to build on.
   */
  async #enterCommit(): Promise<void> {
    if (!this.lease) return (this.#lock as WriterLock).assertHeld();
    this.lease.assertHeld();
    const { root, lockStaleMs } = this.settings;
    this.#lock = await WriterLock.acquire(root, lockStaleMs, { mode: 'commit', waitForTurn: true });
    try {
      await recover(root, { keepSpill: true });
      this.#catalog = await readCatalog(root);
    } catch (error) {
      await this.#leaveCommit();
      throw error;
    }
  }

  /** A shard gives its turn back after each commit; one writer keeps the lock for its run. */
  async #leaveCommit(): Promise<void> {
    if (!this.lease || !this.#lock) return;
    const turn = this.#lock;
    this.#lock = undefined;
    await turn.release();
  }

  /** The archive's folder, absolute. */
  get root(): string {
    return this.settings.root;
  }

  /** The catalog as of the last commit (this writer's, or the one before it opened). */
  get catalog(): Catalog {
    return this.#catalog;
  }

  /** Current cursors, by key: opaque here, each advanced only with the data it covers. */
  get cursors(): Readonly<Record<string, unknown>> {
    return this.#catalog.cursors;
  }

  /**
   * Starts a snapshot: what the next atomic commit adds. A run commits one or more snapshots, one after
   * another; a second open snapshot is refused ({@link ArchiveUsageError}).
   */
  beginSnapshot(runId: string, options: SnapshotOptions = {}): SnapshotWriter {
    (this.lease ?? (this.#lock as WriterLock)).assertHeld();
    if (this.#active)
      throw new ArchiveUsageError(
        'a snapshot is already open on this archive: commit or abort it first',
        this.root,
      );
    const writer: SnapshotWriter = new SnapshotWriter(
      {
        root: this.root,
        con: this.con,
        catalog: () => this.#catalog,
        onCommitted: (catalog) => {
          this.#catalog = catalog;
        },
        beforeCommit: () => this.#enterCommit(),
        endCommit: () => this.#leaveCommit(),
        afterCommit: () => this.#compactWhenDue(),
        onClosed: () => {
          if (this.#active === writer) this.#active = undefined;
        },
        policy: this.settings.redaction,
        schemaVersion: this.settings.schemaVersion,
        rowGroupSize: this.settings.rowGroupSize,
        budgetBytes: this.settings.writeBudgetBytes,
      },
      newSnapshotId(),
      runId,
      options,
    );
    this.#active = writer;
    return writer;
  }

  /**
   * Merges the files of each partition that has at least `minFiles` into one, atomically (one commit),
   * keeping every row. Replaced files are retired: left in place a while for readers still using them.
   */
  async compact(options: CompactionOptions = {}): Promise<CompactionResult> {
    await this.#enterCommit();
    try {
      return await this.#compact(options);
    } finally {
      await this.#leaveCommit();
    }
  }

  async #compact(options: CompactionOptions): Promise<CompactionResult> {
    const { catalog, result } = await compactPartitions(
      {
        root: this.root,
        con: this.con,
        catalog: this.#catalog,
        schemaVersion: this.settings.schemaVersion,
        rowGroupSize: this.settings.rowGroupSize,
        budgetBytes: this.settings.writeBudgetBytes,
      },
      options,
    );
    this.#catalog = catalog;
    return result;
  }

  /**
   * The instance's archived invocations created at `since` or later whose latest state is final and that
   * have no result, oldest first: what a run with results fetches for them (see `addLateResults`).
   */
  async invocationsWithoutResult(
    where: { account: string; regionId: string; instanceId: string },
    since: Date,
  ): Promise<ArchivedInvocation[]> {
    // A connection of its own: the snapshot writer may be committing on the other one meanwhile.
    this.#reader ??= await this.db.connect();
    // Other shards commit meanwhile, and a compaction of theirs retires files this catalog may list.
    if (this.lease && !this.#lock) this.#catalog = await readCatalog(this.root);
    return invocationsWithoutResult(this.#reader, { root: this.root, catalog: this.#catalog }, where, since);
  }

  /** Compacts the partitions that have reached `compactAbove` files, if any. */
  async #compactWhenDue(): Promise<void> {
    const above = this.settings.compactAbove;
    if (above === 0) return;
    const counts = new Map<string, number>();
    for (const f of this.#catalog.files) {
      const key = `${f.table}/${f.partition.date ?? ''}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    // Runs inside the commit that made it due, under the same lock or turn.
    if ([...counts.values()].some((n) => n >= above)) await this.#compact({ minFiles: above });
  }

  /** Checks every committed file against the catalog (see `verifyArchive`), or only those of `snapshots`. */
  verify(options: { snapshots?: ReadonlySet<string> } = {}): Promise<VerifyReport> {
    return verifyFiles(this.root, this.#catalog, this.con, options.snapshots);
  }

  /** Aborts an open snapshot, closes DuckDB and releases the lock. */
  async close(): Promise<void> {
    try {
      await this.#active?.abort();
    } finally {
      this.#reader?.closeSync();
      this.con.closeSync();
      this.db.closeSync();
      await this.#lock?.release();
      await this.lease?.release();
    }
  }
}

/**
 * Opens the archive at `options.root` for writing (see {@link Archive}): checks the options
 * ({@link ArchiveUsageError}), creates the folder, takes the writer lock (`ArchiveLockedError` while another
 * writer holds it), and finishes or discards the commits a crash interrupted.
 */
export const openArchive = (options: ArchiveOptions): Promise<Archive> => Archive.open(options);
