import { mkdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
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
import { fsyncDir, fsyncFile, sha256File } from './durable-fs.js';
import { ArchiveUsageError } from './errors.js';
import type { CoverageRecord, InstanceObservation, InvocationObservation, RunRecord } from './records.js';
import { type RedactionPolicy, redactFields } from './redaction.js';
import { columnsAt, TABLES, type TableDef, type TableName } from './schema.js';
import { sqlString, tableSelectSql } from './table-sql.js';

/** What a commit did. */
export interface CommitResult {
  snapshotId: string;
  /** Rows written per table. */
  rows: Partial<Record<TableName, number>>;
  /** Observations not written because the archive already held the same state. */
  skipped: number;
  /** Invocations written for the first time. */
  newInvocations: number;
  /** Invocations already archived that were written again with a new state. */
  changedInvocations: number;
  files: number;
  catalogVersion: number;
  /** Where the commit's time went, in milliseconds: dedupe against the archive, Parquet writing, publishing. */
  timingsMs: { dedupe: number; write: number; publish: number };
}

/** Settings a snapshot inherits from its archive. */
export interface SnapshotContext {
  root: string;
  con: DuckDBConnection;
  catalog: () => Catalog;
  onCommitted: (catalog: Catalog) => void;
  /** Throws when committing is no longer allowed (the writer lost its lock). */
  beforeCommit: () => void;
  /** The snapshot was committed or aborted: the archive may open another. */
  onClosed: () => void;
  policy: RedactionPolicy;
  schemaVersion: number;
  rowGroupSize: number;
}

/**
 * What one run commits: observations (in batches), instances, coverage, the run row and cursors.
 * Nothing is visible until {@link SnapshotWriter.commit}, which makes all of it visible in one step.
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

  async addInstances(batch: readonly InstanceObservation[]): Promise<void> {
    await this.#ensure();
    await this.#instances.append(batch);
  }

  async addCoverage(batch: readonly CoverageRecord[]): Promise<void> {
    await this.#ensure();
    await this.#coverage.append(batch);
  }

  /** The run's row; give it once, at the end of the run. */
  async setRun(run: RunRecord): Promise<void> {
    await this.#ensure();
    if (this.#runs.rows > 0) throw new ArchiveUsageError('setRun was already called for this snapshot');
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

  /** Writes the staged rows as Parquet, fsyncs them, and makes them and the cursors visible in one step. */
  async commit(): Promise<CommitResult> {
    if (this.#done) throw new ArchiveUsageError('this snapshot was already committed or aborted');
    this.#done = true;
    const root = this.ctx.root;
    const stagingRoot = join(root, STAGING_DIR, this.snapshotId);
    try {
      this.ctx.beforeCommit();
      await this.#ensure();
      await mkdir(stagingRoot, { recursive: true });
      const started = performance.now();
      const { skipped, newInvocations, changedInvocations } = await this.#dedupe();
      const deduped = performance.now();
      const files: JournalFile[] = [];
      const rows: Partial<Record<TableName, number>> = {};
      const sources: [TableName, string][] = [
        ['invocation_observations', 'SELECT * EXCLUDE (seq) FROM incoming ANTI JOIN dropped USING (seq)'],
        ['instances', this.#instances.selectSql()],
        ['coverage', this.#coverage.selectSql()],
        ['runs', this.#runs.selectSql()],
      ];
      for (const [table, select] of sources) {
        const written = await this.#copy(TABLES[table], select, stagingRoot);
        files.push(...written);
        const n = written.reduce((s, f) => s + f.rows, 0);
        if (n > 0) rows[table] = n;
      }
      crashPoint('staged');
      const wrote = performance.now();
      const result = (catalogVersion: number): CommitResult => ({
        snapshotId: this.snapshotId,
        rows,
        skipped,
        newInvocations,
        changedInvocations,
        files: files.length,
        catalogVersion,
        timingsMs: {
          dedupe: Math.round(deduped - started),
          write: Math.round(wrote - deduped),
          publish: Math.round(performance.now() - wrote),
        },
      });
      // Nothing to write and no cursor to move: no commit at all.
      if (files.length === 0 && Object.keys(this.#cursors).length === 0)
        return result(this.ctx.catalog().version);
      const snapshot: CatalogSnapshot = {
        id: this.snapshotId,
        kind: 'ingest',
        runId: this.runId,
        committedAt: new Date().toISOString(),
        redactionPolicyId: this.ctx.policy.id,
        rows,
        skippedRows: skipped,
        filesAdded: files.length,
        filesRemoved: 0,
      };
      const catalog = await commitJournal(root, { snapshot, files, remove: [], cursors: this.#cursors });
      this.ctx.onCommitted(catalog);
      return result(catalog.version);
    } finally {
      await this.#dropStages();
      this.ctx.onClosed();
    }
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

  async #ensure(): Promise<void> {
    if (this.#created) return;
    this.#created = true;
    for (const s of [this.#observations, this.#instances, this.#coverage, this.#runs]) await s.create();
  }

  async #dropStages(): Promise<void> {
    if (!this.#created) return;
    for (const s of [this.#observations, this.#instances, this.#coverage, this.#runs]) await s.drop();
    await this.ctx.con.run(
      'DROP VIEW IF EXISTS incoming; DROP TABLE IF EXISTS prior_keys; DROP TABLE IF EXISTS repeated; DROP TABLE IF EXISTS dropped',
    );
  }

  /**
   * Builds `incoming` (staged observations with their state hashes) and marks `keep` on those that are
   * not already the archived state: an observation equal to the one before it in the invocation's history
   * (archived or staged), ignoring when it was made, adds nothing. Returns how many were dropped.
   */
  async #dedupe(): Promise<{ skipped: number; newInvocations: number; changedInvocations: number }> {
    const con = this.ctx.con;
    const key = 'account, region_id, instance_id, invoke_id';
    const staged = this.#observations.selectSql({ seq: true });
    await con.run(`CREATE OR REPLACE TEMP VIEW incoming AS ${staged}`);
    const dates = await con.runAndReadAll(
      `SELECT DISTINCT strftime(creation_time, '%Y-%m-%d') FROM incoming`,
    );
    const touched = new Set(dates.getRows().map((r) => String(r[0])));
    const catalog = this.ctx.catalog();
    const priorCatalog = {
      ...catalog,
      files: catalog.files.filter(
        (f) => f.table === 'invocation_observations' && touched.has(f.partition.date ?? ''),
      ),
    };
    // Files are sorted by region and instance: a literal list of the batch's instances lets DuckDB skip
    // the row groups of every other instance by their statistics (a join would read them all).
    const instances = await con.runAndReadAll('SELECT DISTINCT instance_id FROM incoming');
    const ids = instances.getRows().map((r) => sqlString(String(r[0])));
    const priorAll = await tableSelectSql(con, this.ctx.root, priorCatalog, 'invocation_observations');
    const prior =
      ids.length === 0 ? priorAll : `SELECT * FROM (${priorAll}) WHERE instance_id IN (${ids.join(', ')})`;
    // Only invocations seen twice (archived before, or staged more than once) can hold a redundant observation.
    await con.run(`CREATE OR REPLACE TEMP TABLE prior_keys AS
      SELECT DISTINCT ${key} FROM (${prior}) p SEMI JOIN incoming i USING (${key})`);
    await con.run(`CREATE OR REPLACE TEMP TABLE repeated AS
      SELECT ${key} FROM incoming GROUP BY ALL HAVING count(*) > 1 UNION SELECT ${key} FROM prior_keys`);
    const hashes = `${key}, observed_at, ${stateHashesSql(this.ctx.schemaVersion)}`;
    await con.run(`CREATE OR REPLACE TEMP TABLE dropped AS
      WITH u AS (
        SELECT ${hashes}, 0 AS src, 0 AS seq FROM (${prior}) p SEMI JOIN repeated USING (${key})
        UNION ALL
        SELECT ${hashes}, 1 AS src, seq FROM incoming SEMI JOIN repeated USING (${key})
      ), w AS (
        SELECT src, seq, listing_hash, result_hash,
          lag(listing_hash) OVER k AS prev_listing,
          last_value(result_hash IGNORE NULLS) OVER (k ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_result
        FROM u WINDOW k AS (PARTITION BY ${key} ORDER BY observed_at, src, seq)
      )
      SELECT seq FROM w WHERE src = 1 AND prev_listing IS NOT DISTINCT FROM listing_hash
        AND (result_hash IS NULL OR result_hash IS NOT DISTINCT FROM prev_result)`);
    const counts = await con.runAndReadAll(`SELECT
        (SELECT count(*) FROM dropped) AS skipped,
        count(DISTINCT (${key})) FILTER (WHERE NOT known) AS new_invocations,
        count(DISTINCT (${key})) FILTER (WHERE known) AS changed_invocations
      FROM (SELECT ${key}, (${key}) IN (SELECT (${key}) FROM prior_keys) AS known FROM incoming ANTI JOIN dropped USING (seq))`);
    const row = counts.getRowObjects()[0] ?? {};
    return {
      skipped: Number(row.skipped ?? 0),
      newInvocations: Number(row.new_invocations ?? 0),
      changedInvocations: Number(row.changed_invocations ?? 0),
    };
  }

  /** COPYs `select` into `date=` partitions under staging, fsyncs, and describes each file. */
  async #copy(def: TableDef, select: string, stagingRoot: string): Promise<JournalFile[]> {
    const columns = columnsAt(def, this.ctx.schemaVersion)
      .map((c) => `"${c.name}"`)
      .join(', ');
    const dir = join(stagingRoot, def.name);
    const sql = `COPY (SELECT ${columns}, strftime("${def.partitionTime}", '%Y-%m-%d') AS date FROM (${select}) ORDER BY ${def.sortBy.map((c) => `"${c}"`).join(', ')})
      TO ${sqlString(dir)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE ${this.ctx.rowGroupSize}, PARTITION_BY (date),
      FILENAME_PATTERN ${sqlString(`part-${this.snapshotId}-{i}`)}, RETURN_STATS true, OVERWRITE_OR_IGNORE true)`;
    const stats = await this.ctx.con.runAndReadAll(sql);
    const files: JournalFile[] = [];
    const dirs = new Set<string>();
    for (const row of stats.getRowObjects()) {
      const rowsInFile = Number(row.count);
      if (rowsInFile === 0) continue;
      const path = String(row.filename);
      await fsyncFile(path);
      dirs.add(join(path, '..'));
      const staged = relative(this.ctx.root, path).split(sep).join('/');
      const inTable = relative(dir, path).split(sep).join('/');
      const date = /date=([^/]+)\//.exec(inTable)?.[1] ?? '';
      files.push({
        table: def.name,
        path: `${def.name}/${inTable}`,
        staged,
        partition: { date },
        rows: rowsInFile,
        bytes: (await stat(path)).size,
        sha256: await sha256File(path),
        snapshotId: this.snapshotId,
        schemaVersion: this.ctx.schemaVersion,
      });
    }
    for (const d of dirs) await fsyncDir(d);
    return files;
  }
}

/**
 * `listing_hash` and `result_hash` of an observation: what `DescribeInvocations` and
 * `DescribeInvocationResult` said, without when it was said. Two observations with equal hashes hold the
 * same state. Computed when needed rather than stored: they would be the largest columns of the files.
 */
export function stateHashesSql(schemaVersion: number): string {
  const has = (name: string) =>
    columnsAt(TABLES.invocation_observations, schemaVersion).some((c) => c.name === name);
  const text = (expr: string) => `coalesce(${expr}, chr(0))`;
  const listing = [
    'CAST(epoch_ms(creation_time) AS VARCHAR)',
    'invocation_status',
    'invoke_status',
    'command_type',
    'command_name',
    text('command_content'),
    text(has('command_content_base64') ? 'command_content_base64' : 'NULL'),
    text('parameters'),
  ];
  const result = [
    text('CAST(exit_code AS VARCHAR)'),
    text('output'),
    text(has('output_base64') ? 'output_base64' : 'NULL'),
    text('error_code'),
    text('error_info'),
    text('CAST(epoch_ms(start_time) AS VARCHAR)'),
    text('CAST(epoch_ms(finished_time) AS VARCHAR)'),
    text('invoke_user'),
  ];
  return `md5(concat_ws(chr(31), ${listing.join(', ')})) AS listing_hash,
    CASE WHEN has_result THEN md5(concat_ws(chr(31), ${result.join(', ')})) END AS result_hash`;
}
