import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { LateResult } from './archived-invocation.js';
import type { Catalog, CatalogSnapshot } from './catalog.js';
import {
  coverageGetters,
  type Getters,
  instanceGetters,
  observationGetters,
  runGetters,
  type StoredObservation,
} from './column-getters.js';
import { ColumnarStage } from './columnar-stage.js';
import { commitJournal, type JournalFile, STAGING_DIR } from './commit-journal.js';
import { crashPoint } from './crash-point.js';
import { DAILY_COUNTS, writeDailyCounts } from './daily-counts.js';
import { ArchiveUsageError } from './errors.js';
import { LATEST_COLUMNS, latestStateUpdate } from './latest-state.js';
import { LATEST_STATE } from './latest-state-upgrade.js';
import { dedupeObservations, dropDedupeTables, removeDropped } from './observation-dedupe.js';
import { type ParquetFileTarget, ParquetFileWriter, planParts, rowBytesSql } from './parquet-file-writer.js';
import type { CoverageRecord, InstanceObservation, InvocationObservation, RunRecord } from './records.js';
import { lateResultFields, type RedactionPolicy, redactFields } from './redaction.js';
import { columnsAt, SCHEMA_VERSION, TABLES, type TableName } from './schema.js';
import { tableSelectSql } from './table-sql.js';

/** What committing a snapshot did. */
export interface CommitResult {
  /** The snapshot's id (also when nothing was committed: no rows to write and no cursor to move). */
  snapshotId: string;
  /** Rows written per table; a table without rows is absent. */
  rows: Partial<Record<TableName, number>>;
  /** Observations not written because the archive already held the same state. */
  skipped: number;
  /** Observations of an import not written because their state is not final and they are dated after a final one. */
  stale: number;
  /** Invocations written for the first time. */
  newInvocations: number;
  /** Invocations already archived that were written again with a new state. */
  changedInvocations: number;
  /** Parquet files written. */
  files: number;
  /** The catalog's version after the commit (unchanged when nothing was committed). */
  catalogVersion: number;
  /** Where the commit's time went, in milliseconds: dedupe against the archive, Parquet writing, publishing. */
  timingsMs: { dedupe: number; write: number; publish: number };
}

/** What a snapshot needs of its archive: its settings, its DuckDB connection, and its catalog. */
export interface SnapshotContext {
  root: string;
  con: DuckDBConnection;
  /** The archive's catalog now (the dedupe reads the files it lists). */
  catalog: () => Catalog;
  /** The commit made `catalog` current. */
  onCommitted: (catalog: Catalog) => void;
  /**
   * Holds the right to commit (a shard waits its turn, then the catalog is current); throws when committing
   * is no longer allowed (the writer lost its lock).
   */
  beforeCommit: () => void | Promise<void>;
  /** Runs once the commit is over, committed or not (a shard gives its turn back). */
  endCommit?: () => Promise<void>;
  /** Runs after a commit that published something (the archive compacts when due). */
  afterCommit?: () => Promise<void>;
  /** The snapshot was committed or aborted: the archive may open another. */
  onClosed: () => void;
  /** Redaction applied to every observation. */
  policy: RedactionPolicy;
  /** Schema version written. */
  schemaVersion: number;
  /** Rows per Parquet row group. */
  rowGroupSize: number;
  /** Most bytes of rows one write sorts at once. */
  budgetBytes: number;
}

/** Options of a snapshot. */
export interface SnapshotOptions {
  /**
   * The observations come from dumps rather than the API now: their times may be wrong (a file's
   * modification time), so one of a state that is not final dated at or after a final observation of its
   * invocation is dropped (counted in {@link CommitResult.stale}). The run's `recordsNew` and
   * `recordsChanged` are then the commit's own `newInvocations` and `changedInvocations` (what an import
   * adds is known only once deduped), whatever {@link SnapshotWriter.setRun} was given. @default false
   */
  imported?: boolean;
}

/**
 * One snapshot of a run: what one atomic commit adds (observations in batches, instances, coverage, the
 * run's row, cursors). A run commits one or more snapshots. Rows are staged in DuckDB; nothing is visible
 * until {@link SnapshotWriter.commit}, which makes all of it visible in one step.
 */
export class SnapshotWriter {
  readonly #observations: ColumnarStage<StoredObservation>;
  readonly #instances: ColumnarStage<InstanceObservation>;
  readonly #coverage: ColumnarStage<CoverageRecord>;
  readonly #runs: ColumnarStage<RunRecord>;
  readonly #cursors: Record<string, unknown> = {};
  #created = false;
  #done = false;

  constructor(
    private readonly ctx: SnapshotContext,
    readonly snapshotId: string,
    readonly runId: string,
    private readonly options: SnapshotOptions = {},
  ) {
    const v = ctx.schemaVersion;
    const stage = <T>(table: TableName, getters: Getters<T>) => {
      const columns = columnsAt(TABLES[table], v);
      return new ColumnarStage<T>(
        ctx.con,
        `stage_${table}`,
        columns,
        columns.map((col) => getters[col.name] ?? (() => null)),
      );
    };
    this.#observations = stage('invocation_observations', observationGetters(runId, ctx.policy.id));
    this.#instances = stage('instances', instanceGetters(runId));
    this.#coverage = stage('coverage', coverageGetters(runId));
    this.#runs = stage('runs', runGetters(runId, ctx.policy.id));
  }

  /** Stages a batch of observations (redacted by the archive's policy). Memory is DuckDB's, not the caller's. */
  async addObservations(batch: readonly InvocationObservation[]): Promise<void> {
    await this.#ensure();
    const policy = this.ctx.policy;
    const redacting =
      policy.commandContent !== undefined || policy.parameters !== undefined || policy.output !== undefined;
    await this.#observations.append(
      redacting ? batch.map((o) => ({ ...o, stored: redactFields(o, policy) })) : batch,
    );
  }

  /**
   * Stages results fetched later for invocations the archive holds without one: each becomes a new
   * observation with the invocation's archived listing fields (already in their stored form) and the result
   * (redacted by the archive's policy).
   */
  async addLateResults(batch: readonly LateResult[]): Promise<void> {
    await this.#ensure();
    const policy = this.ctx.policy;
    await this.#observations.append(
      batch.map((late) => {
        const i = late.invocation;
        const observation: StoredObservation = {
          account: i.account,
          regionId: i.regionId,
          instanceId: i.instanceId,
          invokeId: i.invokeId,
          creationTime: i.creationTime,
          invocationStatus: i.invocationStatus,
          invokeStatus: i.invokeStatus,
          commandType: i.commandType,
          commandName: i.commandName,
          commandContent: '',
          parameters: {},
          observedAt: late.observedAt,
          result: late.result,
          stored: lateResultFields(late, policy),
        };
        return observation;
      }),
    );
  }

  /** Stages instance metadata as the run saw it. */
  async addInstances(batch: readonly InstanceObservation[]): Promise<void> {
    await this.#ensure();
    await this.#instances.append(batch);
  }

  /** Stages what the run proved about instances' histories. */
  async addCoverage(batch: readonly CoverageRecord[]): Promise<void> {
    await this.#ensure();
    await this.#coverage.append(batch);
  }

  /** Stages the run's row: once per snapshot, in the run's last snapshot (at the end of the run). */
  async setRun(run: RunRecord): Promise<void> {
    await this.#ensure();
    if (this.#runs.rows > 0)
      throw new ArchiveUsageError('setRun was already called for this snapshot', this.ctx.root);
    await this.#runs.append([run]);
  }

  /** Cursors that become current with this snapshot's data, by key. */
  setCursors(cursors: Record<string, unknown>): void {
    Object.assign(this.#cursors, cursors);
  }

  /** Observations staged so far. */
  get stagedObservations(): number {
    return this.#observations.rows;
  }

  /**
   * Drops observations that repeat their invocation's last state, writes the staged rows as Parquet, fsyncs
   * them, and makes them and the cursors visible in one step (the commit protocol in the README). The
   * snapshot is closed afterwards, committed or not; a writer that lost its lock throws `ArchiveLockedError`.
   */
  async commit(): Promise<CommitResult> {
    if (this.#done)
      throw new ArchiveUsageError('this snapshot was already committed or aborted', this.ctx.root);
    this.#done = true;
    try {
      await this.ctx.beforeCommit();
      await this.#ensure();
      // Before the dedupe: DuckDB spills to `_staging/duckdb-spill` and creates only the last folder of it.
      await mkdir(join(this.ctx.root, STAGING_DIR, this.snapshotId), { recursive: true });
      const started = performance.now();
      const counts = await dedupeObservations(
        this.ctx.con,
        this.#observations.selectSql({ seq: true }),
        { root: this.ctx.root, catalog: this.ctx.catalog() },
        this.ctx.schemaVersion,
        this.ctx.budgetBytes,
        this.options.imported === true,
      );
      if (this.options.imported && this.#runs.rows > 0)
        await this.ctx.con.run(
          `UPDATE stage_runs SET records_new = ${counts.newInvocations}, records_changed = ${counts.changedInvocations}`,
        );
      // The stage keeps only what is written: no copy of it is made (DuckDB's memory holds one).
      await removeDropped(this.ctx.con, this.#observations.table);
      const deduped = performance.now();
      const { files, rows, replaced } = await this.#writeFiles();
      crashPoint('staged');
      const wrote = performance.now();
      const catalogVersion = await this.#publish(files, rows, counts.skipped, replaced);
      if (files.length > 0) await this.ctx.afterCommit?.();
      return {
        snapshotId: this.snapshotId,
        rows,
        ...counts,
        files: files.length,
        catalogVersion,
        timingsMs: {
          dedupe: Math.round(deduped - started),
          write: Math.round(wrote - deduped),
          publish: Math.round(performance.now() - wrote),
        },
      };
    } finally {
      try {
        await this.#dropStages();
      } finally {
        await this.ctx.endCommit?.();
        this.ctx.onClosed();
      }
    }
  }

  /**
   * Writes every table's staged rows (the observations the dedupe kept) to staging as Parquet, and the new
   * latest state of every partition those observations touch, which replaces the files it held, with the
   * daily counts of those partitions' months.
   */
  async #writeFiles(): Promise<{
    files: JournalFile[];
    rows: Partial<Record<TableName, number>>;
    replaced: string[];
  }> {
    const con = this.ctx.con;
    const target = {
      root: this.ctx.root,
      snapshotId: this.snapshotId,
      schemaVersion: this.ctx.schemaVersion,
      rowGroupSize: this.ctx.rowGroupSize,
      budgetBytes: this.ctx.budgetBytes,
    };
    const writer = new ParquetFileWriter(con, target);
    // The kept observations, decoded from the stage as they are read (once per part and latest-state slice).
    const kept = this.#observations.selectSql();
    const files: JournalFile[] = [];
    const rows: Partial<Record<TableName, number>> = {};
    const add = (table: TableName, written: JournalFile[]) => {
      files.push(...written);
      const n = written.reduce((s, f) => s + f.rows, 0);
      if (n > 0) rows[table] = n;
    };
    const sources: [TableName, string][] = [
      ['invocation_observations', kept],
      ['instances', this.#instances.selectSql()],
      ['coverage', this.#coverage.selectSql()],
      ['runs', this.#runs.selectSql()],
    ];
    // Every source is a scan of a stage: a write cut into parts reads it again rather than copying it.
    for (const [table, select] of sources)
      add(table, await writer.write(TABLES[table], select, undefined, { scan: true }));
    const latest: JournalFile[] = [];
    const replaced = await this.#writeLatest(target, kept, (written) => {
      add('invocations_latest', written);
      latest.push(...written);
    });
    // The daily counts of the dates whose latest state changed, from that state as just written.
    const daily = await writeDailyCounts(con, this.#archive(), target, latest);
    add('invocations_daily', daily.files);
    return { files, rows, replaced: [...replaced, ...daily.replaced.map((f) => f.path)] };
  }

  /**
   * Writes the new latest state of the partitions the kept observations touch, a slice of them at a time
   * (a slice holds their rows and the latest state they replace within the write budget); returns the
   * latest-state files replaced.
   */
  async #writeLatest(
    target: ParquetFileTarget,
    kept: string,
    add: (written: JournalFile[]) => void,
  ): Promise<string[]> {
    const con = this.ctx.con;
    const archive = this.#archive();
    const observed = columnsAt(TABLES.invocation_observations, this.ctx.schemaVersion);
    const size = rowBytesSql(observed);
    const byDate = await con.runAndReadAll(
      `SELECT strftime(creation_time, '%Y-%m-%d') AS date, sum(${size}) FROM (${kept}) GROUP BY 1 ORDER BY 1`,
    );
    // The latest state the touched dates hold already weighs in too: measured, as compression varies a lot.
    const dates = new Set(byDate.getRows().map((r) => String(r[0])));
    const heldFiles = archive.catalog.files.filter(
      (f) => f.table === 'invocations_latest' && dates.has(f.partition.date ?? ''),
    );
    const held = new Map<string, number>();
    if (heldFiles.length > 0) {
      const old = await tableSelectSql(
        con,
        archive.root,
        { ...archive.catalog, files: heldFiles },
        'invocations_latest',
      );
      const oldSize = rowBytesSql(LATEST_COLUMNS);
      const measured = await con.runAndReadAll(
        `SELECT strftime(creation_time, '%Y-%m-%d'), sum(${oldSize}) FROM (${old}) GROUP BY 1`,
      );
      for (const [d, b] of measured.getRows()) held.set(String(d), Number(b));
    }
    const sizes = byDate
      .getRows()
      .map(([d, b]): [string, number] => [String(d), Number(b) + (held.get(String(d)) ?? 0)]);
    // The latest state exists from schema version 3 on, whatever version the observations are written at.
    const latest = new ParquetFileWriter(con, { ...target, schemaVersion: SCHEMA_VERSION });
    const replaced = new Set<string>();
    // An aggregate holds each invocation's newest listing and result at once: a third of the budget each.
    for (const slice of planParts(sizes, this.ctx.budgetBytes / 3)) {
      const update = await latestStateUpdate(con, archive, kept, observed, slice);
      // At most one row per invocation of the slice, which was sized to fit: no need to measure the rows
      // first (that would compute the aggregate twice, the larger part of a big commit's time).
      add(
        await latest.write(TABLES.invocations_latest, update.select, LATEST_COLUMNS, { fits: slice.dates }),
      );
      for (const f of update.replaced) replaced.add(f.path);
    }
    return [...replaced];
  }

  #archive(): { root: string; catalog: Catalog } {
    return { root: this.ctx.root, catalog: this.ctx.catalog() };
  }

  /** Commits the staged files and the cursors (see `commitJournal`); returns the catalog version after it. */
  async #publish(
    files: JournalFile[],
    rows: Partial<Record<TableName, number>>,
    skipped: number,
    replaced: string[],
  ): Promise<number> {
    // Nothing to write and no cursor to move: no commit at all.
    if (files.length === 0 && Object.keys(this.#cursors).length === 0) return this.ctx.catalog().version;
    const snapshot: CatalogSnapshot = {
      id: this.snapshotId,
      kind: 'ingest',
      runId: this.runId,
      committedAt: new Date().toISOString(),
      redactionPolicyId: this.ctx.policy.id,
      rows,
      skippedRows: skipped,
      filesAdded: files.length,
      filesRemoved: replaced.length,
    };
    const catalog = await commitJournal(this.ctx.root, {
      snapshot,
      files,
      remove: replaced,
      cursors: this.#cursors,
      features: [LATEST_STATE, DAILY_COUNTS],
    });
    this.ctx.onCommitted(catalog);
    return catalog.version;
  }

  /** Forgets everything staged; nothing of it becomes visible. */
  async abort(): Promise<void> {
    this.#done = true;
    try {
      await this.#dropStages();
    } finally {
      this.ctx.onClosed();
    }
  }

  /** Creates the staging tables on first use. */
  async #ensure(): Promise<void> {
    if (this.#created) return;
    this.#created = true;
    for (const s of [this.#observations, this.#instances, this.#coverage, this.#runs]) await s.create();
  }

  /** Drops the staging tables and the dedupe's. */
  async #dropStages(): Promise<void> {
    if (!this.#created) return;
    for (const s of [this.#observations, this.#instances, this.#coverage, this.#runs]) await s.drop();
    await dropDedupeTables(this.ctx.con);
  }
}
