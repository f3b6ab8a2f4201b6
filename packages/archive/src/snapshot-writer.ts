import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
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
import { DAILY_COUNTS } from './daily-counts.js';
import { commitFailure } from './disk-error.js';
import { ArchiveUsageError } from './errors.js';
import { LATEST_STATE } from './latest-state-upgrade.js';
import { dedupeObservations, dropDedupeTables, removeDropped } from './observation-dedupe.js';
import type { CoverageRecord, InstanceObservation, InvocationObservation, RunRecord } from './records.js';
import { lateResultFields, redactFields } from './redaction.js';
import { columnsAt, TABLES, type TableName } from './schema.js';
import { type SnapshotFiles, writeSnapshotFiles } from './snapshot-files.js';

import type { CommitResult, SnapshotContext, SnapshotOptions } from './snapshot-types.js';

export type { CommitResult, SnapshotContext, SnapshotOptions };

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
    } catch (error) {
      throw await commitFailure(error, this.ctx.root, this.snapshotId);
    } finally {
      try {
        await this.#dropStages();
      } finally {
        await this.ctx.endCommit?.();
        this.ctx.onClosed();
      }
    }
  }

  /** Writes the staged rows and what they change (latest state, daily counts) to staging as Parquet. */
  #writeFiles(): Promise<SnapshotFiles> {
    const target = {
      root: this.ctx.root,
      snapshotId: this.snapshotId,
      schemaVersion: this.ctx.schemaVersion,
      rowGroupSize: this.ctx.rowGroupSize,
      budgetBytes: this.ctx.budgetBytes,
    };
    // Decoded from the stages as they are read: no copy of the rows is held.
    return writeSnapshotFiles(this.ctx.con, this.#archive(), target, {
      observations: this.#observations.selectSql(),
      instances: this.#instances.selectSql(),
      coverage: this.#coverage.selectSql(),
      runs: this.#runs.selectSql(),
    });
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
