import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { type ArchiveOptions, type ArchiveSettings, resolveArchiveOptions } from './archive-options.js';
import { prepareArchiveRoot } from './archive-root.js';
import { type ArchivedInvocation, invocationsWithoutResult } from './archived-invocation.js';
import { type Catalog, readCatalog } from './catalog.js';
import { newSnapshotId, type Recovery, recover, STAGING_DIR } from './commit-journal.js';
import { type CompactionOptions, type CompactionResult, compactPartitions } from './compaction.js';
import { upgradeDailyCounts } from './daily-counts.js';
import { diskErrorOf } from './disk-error.js';
import { ArchiveUsageError } from './errors.js';
import { upgradeLatestState } from './latest-state-upgrade.js';
import { SnapshotWriter } from './snapshot-writer.js';
import { type VerifyReport, verifyFiles } from './verify.js';
import { type LockOwner, WriterLock } from './writer-lock.js';

/**
 * An archive open for writing. One writer at a time (a lock file with stale-lock detection); readers
 * never take the lock and are never blocked. Opening finishes any commit a crash interrupted.
 */
export class Archive {
  #catalog: Catalog;
  #active?: SnapshotWriter;
  #reader?: DuckDBConnection;

  private constructor(
    private readonly settings: ArchiveSettings,
    /** What opening finished or discarded of commits a crash interrupted. */
    readonly recovery: Recovery,
    catalog: Catalog,
    private readonly db: DuckDBInstance,
    private readonly con: DuckDBConnection,
    private readonly lock: WriterLock,
  ) {
    this.#catalog = catalog;
  }

  /** See {@link openArchive}. */
  static async open(options: ArchiveOptions): Promise<Archive> {
    const settings = resolveArchiveOptions(options);
    const { root } = settings;
    await prepareArchiveRoot(root);
    const lock = await WriterLock.acquire(root, settings.lockStaleMs);
    try {
      const recovery = await recover(root);
      const catalog = await readCatalog(root);
      // DuckDB spills to `_staging/duckdb-spill` past its memory limit, and creates only the last folder.
      await mkdir(join(root, STAGING_DIR), { recursive: true });
      const db = await DuckDBInstance.create(':memory:', {
        temp_directory: join(root, STAGING_DIR, 'duckdb-spill'),
        memory_limit: settings.memoryLimit,
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
      return new Archive(settings, recovery, current, db, con, lock);
    } catch (error) {
      // The error that stopped the open is the one to report; a lock we fail to release goes stale.
      await lock.release().catch(() => undefined);
      // Finishing an earlier commit (its journal) on a full or read-only disk: the next open on a healthy one.
      throw (await diskErrorOf(error, root, true)) ?? error;
    }
  }

  /** The dead writer whose lock opening took over (a crash, `kill -9`, an OOM kill), if it did. */
  get lockTakenOverFrom(): LockOwner | undefined {
    return this.lock.tookOverFrom;
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
  beginSnapshot(runId: string): SnapshotWriter {
    this.lock.assertHeld();
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
        beforeCommit: () => this.lock.assertHeld(),
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
    );
    this.#active = writer;
    return writer;
  }

  /**
   * Merges the files of each partition that has at least `minFiles` into one, atomically (one commit),
   * keeping every row. Replaced files are retired: left in place a while for readers still using them.
   */
  async compact(options: CompactionOptions = {}): Promise<CompactionResult> {
    this.lock.assertHeld();
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
    if ([...counts.values()].some((n) => n >= above)) await this.compact({ minFiles: above });
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
      await this.lock.release();
    }
  }
}

/**
 * Opens the archive at `options.root` for writing (see {@link Archive}): checks the options
 * ({@link ArchiveUsageError}), creates the folder, takes the writer lock (`ArchiveLockedError` while another
 * writer holds it), and finishes or discards the commits a crash interrupted.
 */
export const openArchive = (options: ArchiveOptions): Promise<Archive> => Archive.open(options);
