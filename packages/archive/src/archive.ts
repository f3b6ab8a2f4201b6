import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { type Catalog, readCatalog } from './catalog.js';
import { newSnapshotId, type Recovery, recover, STAGING_DIR } from './commit-journal.js';
import { type CompactionOptions, type CompactionResult, compactPartitions } from './compaction.js';
import { ArchiveUsageError } from './errors.js';
import { NO_REDACTION, type RedactionPolicy, validateRedactionPolicy } from './redaction.js';
import { SCHEMA_VERSION } from './schema.js';
import { SnapshotWriter } from './snapshot-writer.js';
import { type VerifyReport, verifyFiles } from './verify.js';
import { WriterLock } from './writer-lock.js';

/** Options of {@link openArchive}. */
export interface ArchiveOptions {
  /** The archive's folder; created if missing. */
  root: string;
  /** Applied to every observation written. @default no redaction (`none`) */
  redaction?: RedactionPolicy;
  /**
   * Rows per Parquet row group: one group spans several days of a busy fleet, so a trend query over a
   * month reads few groups and a lookup by instance prunes on statistics (see the package README).
   * @default 100000
   */
  rowGroupSize?: number;
  /** Schema version to write (an older one for readers that predate a column). @default the current one */
  schemaVersion?: number;
  /**
   * A lock not refreshed for this long is stale (its writer died) and may be taken over.
   * @default 30000
   */
  lockStaleMs?: number;
  /**
   * DuckDB's memory limit for staging and sorting (it spills to `_staging/duckdb-spill` beyond it), e.g.
   * `'1GB'`. The default keeps a crawler within a few hundred megabytes.
   * @default '256MB'
   */
  memoryLimit?: string;
}

/**
 * An archive open for writing. One writer at a time (a lock file with stale-lock detection); readers
 * never take the lock and are never blocked. Opening finishes any commit a crash interrupted.
 */
export class Archive {
  #catalog: Catalog;
  #active?: SnapshotWriter;

  private constructor(
    readonly root: string,
    readonly recovery: Recovery,
    catalog: Catalog,
    private readonly db: DuckDBInstance,
    private readonly con: DuckDBConnection,
    private readonly options: Required<Pick<ArchiveOptions, 'rowGroupSize' | 'schemaVersion'>> & {
      redaction: RedactionPolicy;
    },
    private readonly lock: WriterLock,
  ) {
    this.#catalog = catalog;
  }

  static async open(options: ArchiveOptions): Promise<Archive> {
    const root = resolve(options.root);
    const redaction = validateRedactionPolicy(options.redaction ?? NO_REDACTION);
    const rowGroupSize = options.rowGroupSize ?? 100_000;
    const schemaVersion = options.schemaVersion ?? SCHEMA_VERSION;
    if (!Number.isInteger(rowGroupSize) || rowGroupSize < 1000) {
      throw new ArchiveUsageError(
        `Expected \`rowGroupSize\` to be an integer >= 1000, got ${options.rowGroupSize}`,
        root,
      );
    }
    if (!Number.isInteger(schemaVersion) || schemaVersion < 1 || schemaVersion > SCHEMA_VERSION) {
      throw new ArchiveUsageError(
        `Expected \`schemaVersion\` from 1 to ${SCHEMA_VERSION}, got ${options.schemaVersion}`,
        root,
      );
    }
    await mkdir(root, { recursive: true });
    const lock = await WriterLock.acquire(root, options.lockStaleMs ?? 30_000);
    try {
      const recovery = await recover(root);
      const catalog = await readCatalog(root);
      const db = await DuckDBInstance.create(':memory:', {
        temp_directory: join(root, STAGING_DIR, 'duckdb-spill'),
        memory_limit: options.memoryLimit ?? '128MB',
      });
      const con = await db.connect();
      await con.run(`SET TimeZone = 'UTC'`);
      return new Archive(root, recovery, catalog, db, con, { rowGroupSize, schemaVersion, redaction }, lock);
    } catch (error) {
      // The error that stopped the open is the one to report; a lock we fail to release goes stale.
      await lock.release().catch(() => undefined);
      throw error;
    }
  }

  /** The catalog as of the last commit. */
  get catalog(): Catalog {
    return this.#catalog;
  }

  /** Current cursors, by key. */
  get cursors(): Readonly<Record<string, unknown>> {
    return this.#catalog.cursors;
  }

  /** Starts a snapshot for `runId`. One snapshot at a time. */
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
        onClosed: () => {
          if (this.#active === writer) this.#active = undefined;
        },
        policy: this.options.redaction,
        schemaVersion: this.options.schemaVersion,
        rowGroupSize: this.options.rowGroupSize,
      },
      newSnapshotId(),
      runId,
    );
    this.#active = writer;
    return writer;
  }

  /**
   * Merges the files of each partition that has at least `minFiles` into one, atomically (one commit),
   * keeping every row. Replaced files go to `_trash/` for readers still using them.
   */
  async compact(options: CompactionOptions = {}): Promise<CompactionResult> {
    this.lock.assertHeld();
    const { catalog, result } = await compactPartitions(
      {
        root: this.root,
        con: this.con,
        catalog: this.#catalog,
        schemaVersion: this.options.schemaVersion,
        rowGroupSize: this.options.rowGroupSize,
      },
      options,
    );
    this.#catalog = catalog;
    return result;
  }

  /** Checks every committed file against the catalog (see {@link verifyArchive}). */
  verify(): Promise<VerifyReport> {
    return verifyFiles(this.root, this.#catalog, this.con);
  }

  /** Aborts an open snapshot, closes DuckDB and releases the lock. */
  async close(): Promise<void> {
    try {
      await this.#active?.abort();
    } finally {
      this.con.closeSync();
      this.db.closeSync();
      await this.lock.release();
    }
  }
}

/** Opens the archive at `options.root` for writing (see {@link Archive}). */
export const openArchive = (options: ArchiveOptions): Promise<Archive> => Archive.open(options);
