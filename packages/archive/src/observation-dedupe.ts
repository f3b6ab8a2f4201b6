import type { DuckDBConnection } from '@duckdb/node-api';
import type { Catalog } from './catalog.js';
import { columnsAt, TABLES } from './schema.js';
import { sqlString, tableSelectSql } from './table-sql.js';

/** What {@link dedupeObservations} found among the staged observations. */
export interface DedupeCounts {
  /**
   * Observations that add nothing to their invocation's history: equal to the one before them, or (an
   * observation slotted in before archived ones) equal to the archived one after them. Not written.
   */
  skipped: number;
  /**
   * Imported observations of a state that is not final, dated at or after a final observation of the same
   * invocation: statuses never leave a final state, so their time is wrong (a dump dated by its file's
   * modification time). Not written; only imports drop them.
   */
  stale: number;
  /** Invocations the archive did not hold yet. */
  newInvocations: number;
  /** Invocations the archive held, written again with a new state. */
  changedInvocations: number;
}

/** Bytes of one row of the dedupe's narrow history (key, time, two hashes), generously. */
const HISTORY_ROW_BYTES = 240;

/** An invocation's key, as a DuckDB column list. */
const KEY = 'account, region_id, instance_id, invoke_id';

/** Statuses an invocation can still leave (swas-api.md); every other is final. */
export const NOT_FINAL_STATUSES = ['Pending', 'Running', 'Stopping'] as const;

/** A SQL condition: `column` holds a final status. */
export const isFinalSql = (column: string): string =>
  `${column} NOT IN (${NOT_FINAL_STATUSES.map((s) => `'${s}'`).join(', ')})`;

/**
 * Builds the view `incoming` over `staged` (a SELECT of the staged observations with their `seq`) and the
 * table `dropped`: the `seq` of every observation that adds nothing, as it is equal, but for when it was
 * made, to the one before it in its invocation's history (archived, or staged earlier in the snapshot), or
 * to the archived one after it (with only equal ones between: an import slots observations in by their
 * time, and the archived files are never rewritten, so the earlier copy is the one left out). With
 * `imported`, also those of a non-final state dated at or after a final one ({@link DedupeCounts.stale}).
 */
export async function dedupeObservations(
  con: DuckDBConnection,
  staged: string,
  archive: { root: string; catalog: Catalog },
  schemaVersion: number,
  /** Most bytes of history one window sorts at once. */
  budgetBytes: number,
  imported = false,
): Promise<DedupeCounts> {
  await con.run(`CREATE OR REPLACE TEMP VIEW incoming AS ${staged}`);
  const prior = await priorObservationsSql(con, archive.root, archive.catalog);
  // Only invocations seen twice (archived before, or staged more than once) can hold a redundant observation.
  await con.run(`CREATE OR REPLACE TEMP TABLE prior_keys AS
      SELECT DISTINCT ${KEY} FROM (${prior}) p SEMI JOIN incoming i USING (${KEY})`);
  await con.run(`CREATE OR REPLACE TEMP TABLE repeated AS
      SELECT ${KEY} FROM incoming GROUP BY ALL HAVING count(*) > 1 UNION SELECT ${KEY} FROM prior_keys`);
  // The hashes of every observation that could repeat its predecessor, narrow rows computed once.
  const hashes = `${KEY}, observed_at, ${isFinalSql('invocation_status')} AS final, ${stateHashesSql(schemaVersion)}`;
  await con.run(`CREATE OR REPLACE TEMP TABLE dedupe_history AS
      SELECT ${hashes}, 0 AS src, 0 AS seq FROM (${prior}) p SEMI JOIN repeated USING (${KEY})
      UNION ALL
      SELECT ${hashes}, 1 AS src, seq FROM incoming SEMI JOIN repeated USING (${KEY})`);
  await con.run('CREATE OR REPLACE TEMP TABLE dropped (seq BIGINT, stale BOOLEAN)');
  // DuckDB sorts a window's partitions in memory: slice the invocations by key hash so that each slice
  // sorts within the budget (one slice for an ordinary snapshot).
  const rows = Number(
    (await con.runAndReadAll('SELECT count(*) FROM dedupe_history')).getRows()[0]?.[0] ?? 0,
  );
  const slices = Math.max(1, Math.ceil((rows * HISTORY_ROW_BYTES) / budgetBytes));
  for (let slice = 0; slice < slices; slice++) {
    const mine = slices === 1 ? '' : `WHERE hash(${KEY}) % ${slices} = ${slice}`;
    await con.run(`INSERT INTO dropped ${droppedSql(mine, imported)}`);
  }
  return countDedupe(con);
}

/**
 * The `seq` and staleness of the staged observations of `dedupe_history` (those matching `where`) that add
 * nothing. Stale ones first (with `imported`), left out of the history the others are compared with; then
 * each one equal to its predecessor (listing equal, and no result or the last result seen equal), or lying
 * in a run of identical observations (both hashes equal) that holds an archived one after it.
 */
function droppedSql(where: string, imported: boolean): string {
  const k = `PARTITION BY ${KEY}`;
  const order = 'ORDER BY observed_at, src, seq';
  const stale = imported
    ? `src = 1 AND NOT final AND min(CASE WHEN final THEN observed_at END) OVER (${k}) <= observed_at`
    : 'false';
  return `WITH f AS (
      SELECT *, ${stale} AS stale FROM dedupe_history ${where}
    ), w AS (
      SELECT *,
        lag(listing_hash) OVER k AS prev_listing,
        lag(result_hash) OVER k AS prev_result_exact,
        last_value(result_hash IGNORE NULLS) OVER (k ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_result,
        row_number() OVER k AS nth
      FROM f WHERE NOT stale WINDOW k AS (${k} ${order})
    ), runs AS (
      SELECT *, sum(CASE WHEN nth = 1 OR listing_hash IS DISTINCT FROM prev_listing
          OR result_hash IS DISTINCT FROM prev_result_exact THEN 1 ELSE 0 END)
        OVER (${k} ORDER BY nth ROWS UNBOUNDED PRECEDING) AS run
      FROM w
    ), marked AS (
      SELECT *,
        bool_or(src = 0) OVER (${k}, run ORDER BY nth ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS archived_after
      FROM runs
    )
    SELECT seq, true FROM f WHERE stale
    UNION ALL
    SELECT seq, false FROM marked WHERE src = 1 AND (coalesce(archived_after, false)
      OR (prev_listing IS NOT DISTINCT FROM listing_hash
        AND (result_hash IS NULL OR result_hash IS NOT DISTINCT FROM prev_result)))`;
}

/**
 * A SELECT of the archived observations that can precede the `incoming` ones: those in the partitions the
 * batch touches, of the batch's instances.
 */
async function priorObservationsSql(con: DuckDBConnection, root: string, catalog: Catalog): Promise<string> {
  const dates = await con.runAndReadAll(`SELECT DISTINCT strftime(creation_time, '%Y-%m-%d') FROM incoming`);
  const touched = new Set(dates.getRows().map((r) => String(r[0])));
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
  const priorAll = await tableSelectSql(con, root, priorCatalog, 'invocation_observations');
  return ids.length === 0 ? priorAll : `SELECT * FROM (${priorAll}) WHERE instance_id IN (${ids.join(', ')})`;
}

/** Counts what the dedupe dropped, and the kept invocations that are new or already archived. */
async function countDedupe(con: DuckDBConnection): Promise<DedupeCounts> {
  const counts = await con.runAndReadAll(`SELECT
        (SELECT count(*) FILTER (WHERE NOT stale) FROM dropped) AS skipped,
        (SELECT count(*) FILTER (WHERE stale) FROM dropped) AS stale,
        count(DISTINCT (${KEY})) FILTER (WHERE NOT known) AS new_invocations,
        count(DISTINCT (${KEY})) FILTER (WHERE known) AS changed_invocations
      FROM (SELECT ${KEY}, (${KEY}) IN (SELECT (${KEY}) FROM prior_keys) AS known FROM incoming ANTI JOIN dropped USING (seq))`);
  const row = counts.getRowObjects()[0] ?? {};
  return {
    skipped: Number(row.skipped ?? 0),
    stale: Number(row.stale ?? 0),
    newInvocations: Number(row.new_invocations ?? 0),
    changedInvocations: Number(row.changed_invocations ?? 0),
  };
}

/**
 * Deletes from the staging table `stage` (whose `rowid` was the dedupe's `seq`) the observations the dedupe
 * dropped, then drops the dedupe's tables: the stage holds the kept observations alone, and no copy of them
 * (nor the dedupe's history) is held while they are written.
 */
export async function removeDropped(con: DuckDBConnection, stage: string): Promise<void> {
  await con.run(`DELETE FROM "${stage}" WHERE rowid IN (SELECT seq FROM dropped)`);
  await dropDedupeTables(con);
}

/** Drops what {@link dedupeObservations} created. */
export async function dropDedupeTables(con: DuckDBConnection): Promise<void> {
  await con.run(
    'DROP VIEW IF EXISTS incoming; DROP TABLE IF EXISTS prior_keys; DROP TABLE IF EXISTS repeated; DROP TABLE IF EXISTS dedupe_history; DROP TABLE IF EXISTS dropped',
  );
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
