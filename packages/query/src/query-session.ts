import { rmSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import {
  type Catalog,
  readCatalog,
  registerTables,
  type TableName,
  tableSelectSql,
} from '@swas-archive/archive';
import { isAlive } from './process-alive.js';
import { bindParams, type QueryParams } from './query-params.js';
import { type QueryResult, RowStream } from './row-stream.js';
import { extensionSettings, instanceSettings, lockDown, type SessionLimits } from './session-settings.js';
import { prepareSelect, queryErrorOf } from './statement-check.js';
import type { UserValue } from './value-format.js';
import { viewsFor } from './views.js';

/** The most rows of `coverage` that {@link QuerySession.holdCoverage} holds in memory. */
const HELD_COVERAGE_ROWS = 250_000;

/** Spill folders are named `swas-archive-query-<pid>-<random>`. */
const SPILL_PREFIX = 'swas-archive-query-';

/**
 * Removes the spill folders of sessions whose process is gone (killed before it could close): they may
 * hold gigabytes. A folder whose process still runs, or that is not named like ours, stays.
 */
async function removeAbandonedSpills(parent: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(parent);
  } catch (error) {
    // No parent folder yet: mkdtemp below says what is wrong with it.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  for (const name of names) {
    const pid = Number(/^swas-archive-query-(\d+)-/.exec(name)?.[1]);
    if (!pid || pid === process.pid || isAlive(pid)) continue;
    try {
      await rm(join(parent, name), { recursive: true, force: true });
    } catch (error) {
      // Another user's folder (a shared /tmp): theirs to clean; this session does not need it gone.
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EACCES' && code !== 'EPERM') throw error;
    }
  }
}

/** A row as an object of {@link UserValue}s keyed by column name. */
export type Row = Record<string, UserValue>;

/** Options of {@link QuerySession.open}. */
export interface QuerySessionOptions extends SessionLimits {
  /**
   * Where DuckDB may spill when a query needs more than its memory limit: a new folder is made in it for
   * the session and removed by `close()`. Never inside the archive, which may be read-only for readers.
   * @default os.tmpdir()
   */
  spillParent?: string;
}

/**
 * A read-only DuckDB session over an archive, with its raw tables and the documented views. It runs one
 * SELECT at a time and refuses anything else (see {@link prepareSelect}); DuckDB itself is set so that no
 * statement can read outside the archive, reach the network, load code, or change those settings.
 */
export class QuerySession {
  #coverageHeld = false;

  private constructor(
    /** The archive folder, absolute. */
    readonly root: string,
    private readonly db: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    private readonly spillDirectory: string,
    /** The catalog the session reads, as of its opening. */
    readonly catalog: Catalog,
  ) {}

  /**
   * A relation of the invocations created from `since` to `until` (and a little around: partitions are
   * whole UTC days), for queries that filter on that period anyway: it reads only the latest-state files
   * of those days, where `invocations` would open every file. `invocations` itself on an archive that does
   * not keep its latest state yet.
   */
  async periodSource(since: Date, until: Date): Promise<string> {
    if (!this.catalog.features?.includes('latest-state')) return 'invocations';
    const first = since.toISOString().slice(0, 10);
    const last = until.toISOString().slice(0, 10);
    const files = this.catalog.files.filter((f) => {
      const d = f.partition.date ?? '';
      return f.table === 'invocations_latest' && d >= first && d <= last;
    });
    const select = await tableSelectSql(
      this.connection,
      this.root,
      { ...this.catalog, files },
      'invocations_latest',
    );
    await this.connection.run(`CREATE OR REPLACE TEMP VIEW period_invocations AS SELECT * FROM (${select})`);
    return 'period_invocations';
  }

  /**
   * A relation that counts the invocations created from `since` to `until` (and a little around), for
   * reports that only count: the columns `creation_time, account, region_id, instance_id, command_name,
   * command_type, invocation_status`, `invocations` (how many a row stands for) and `last_creation_time`
   * (the newest creation time among them). Where the archive keeps daily counts, a whole UTC day is read
   * from them, its rows stamped at midnight; a day that `since`, `until` or one of `cuts` divides is read
   * invocation by invocation from the latest state, one row each. Filtering on `creation_time` with those
   * bounds therefore counts exactly what the latest state would.
   */
  async periodCounts(since: Date, until: Date, cuts: readonly Date[] = []): Promise<string> {
    const features = this.catalog.features ?? [];
    if (!features.includes('daily-counts')) {
      const source = await this.periodSource(since, until);
      return `(SELECT creation_time, account, region_id, instance_id, command_name, command_type,
        invocation_status, 1::BIGINT AS invocations, creation_time AS last_creation_time FROM ${source})`;
    }
    const dayOf = (t: Date) => t.toISOString().slice(0, 10);
    const divided = [since, until, ...cuts].filter((t) => t.getTime() % 86_400_000 !== 0).map(dayOf);
    const edges = new Set(divided);
    const first = dayOf(since);
    const last = dayOf(until);
    const pick = (table: TableName, keep: (date: string) => boolean) =>
      tableSelectSql(
        this.connection,
        this.root,
        {
          ...this.catalog,
          files: this.catalog.files.filter((f) => f.table === table && keep(f.partition.date ?? '')),
        },
        table,
      );
    // Daily counts are partitioned by month, named by its first day.
    const latest = await pick('invocations_latest', (d) => edges.has(d));
    const daily = await pick('invocations_daily', (d) => d >= `${first.slice(0, 7)}-01` && d <= last);
    const cut = [...edges].map((d) => `'${d}T00:00:00Z'::TIMESTAMPTZ`);
    await this.connection.run(`CREATE OR REPLACE TEMP VIEW period_counts AS
      SELECT creation_time, account, region_id, instance_id, command_name, command_type, invocation_status,
        1::BIGINT AS invocations, creation_time AS last_creation_time FROM (${latest})
      UNION ALL
      SELECT day AS creation_time, account, region_id, instance_id, command_name, command_type,
        invocation_status, invocations, last_creation_time
      FROM (${daily})${cut.length > 0 ? ` WHERE day NOT IN (${cut.join(', ')})` : ''}`);
    return 'period_counts';
  }

  /**
   * Reads the `coverage` dataset into memory once, for the rest of the session, when the catalog says it
   * is small (at most 250,000 rows, some 50 MB): a report reads it four times (the gaps of its rows, the
   * coverage windows, the gaps it lists and whether each is resolved), and a scan of its files (one or
   * more a day of crawls) costs far more than their rows (a tenth of a second for 100 files). The
   * `coverage` view, and `gaps` on it, then read the copy: the same rows, as of the session's catalog.
   */
  async holdCoverage(): Promise<void> {
    if (this.#coverageHeld) return;
    this.#coverageHeld = true;
    const rows = this.catalog.files.filter((f) => f.table === 'coverage').reduce((n, f) => n + f.rows, 0);
    if (rows > HELD_COVERAGE_ROWS) return;
    await this.connection.run('CREATE TEMP TABLE held_coverage AS SELECT * FROM coverage');
    await this.connection.run('CREATE OR REPLACE TEMP VIEW coverage AS SELECT * FROM held_coverage');
  }

  /** Opens a session over the archive at `root` as of its current catalog. Takes no lock. */
  static async open(root: string, options: QuerySessionOptions = {}): Promise<QuerySession> {
    const abs = resolve(root);
    const catalog = await readCatalog(abs);
    const parent = options.spillParent ?? tmpdir();
    await removeAbandonedSpills(parent);
    const spill = await mkdtemp(join(parent, `${SPILL_PREFIX}${process.pid}-`));
    let db: DuckDBInstance | undefined;
    let con: DuckDBConnection | undefined;
    try {
      db = await DuckDBInstance.create(':memory:', instanceSettings(options, spill));
      con = await db.connect();
      await extensionSettings(con);
      await registerTables(con, abs, catalog);
      for (const view of viewsFor(catalog))
        await con.run(`CREATE OR REPLACE TEMP VIEW "${view.name}" AS ${view.sql}`);
      await lockDown(con, abs);
      return new QuerySession(abs, db, con, spill, catalog);
    } catch (error) {
      con?.closeSync();
      db?.closeSync();
      rmSync(spill, { recursive: true, force: true });
      throw error;
    }
  }

  /**
   * Runs one SELECT with its `$name` parameters bound (never spliced) and streams its rows; anything else
   * is refused with a {@link QueryRefusedError}, SQL that cannot run throws a {@link QueryError}. Read the
   * result before the next call on this session.
   */
  async stream(sql: string, params: QueryParams = {}): Promise<QueryResult> {
    const prepared = await prepareSelect(this.connection, sql, this.root);
    try {
      bindParams(prepared, params, sql);
      return new RowStream(await prepared.stream(), sql, this.root);
    } catch (error) {
      throw queryErrorOf(error, sql, this.root);
    } finally {
      prepared.destroySync();
    }
  }

  /**
   * Like {@link stream}, but reads the whole result into memory: for results known to be small (a report,
   * an aggregate). Rows are objects keyed by column name.
   */
  async run(sql: string, params: QueryParams = {}): Promise<{ columns: string[]; rows: Row[] }> {
    const result = await this.stream(sql, params);
    const columns = result.columns.map((c) => c.name);
    const rows: Row[] = [];
    for await (const chunk of result) {
      for (const values of chunk) {
        const row: Row = {};
        for (let i = 0; i < columns.length; i++) row[columns[i] as string] = values[i] ?? null;
        rows.push(row);
      }
    }
    return { columns, rows };
  }

  /** Ends the session and removes its spill folder. */
  close(): void {
    this.connection.closeSync();
    this.db.closeSync();
    rmSync(this.spillDirectory, { recursive: true, force: true });
  }
}
