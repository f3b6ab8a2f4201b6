import type { DuckDBConnection } from '@duckdb/node-api';
import type { Catalog, CatalogFile } from './catalog.js';
import { isFinalSql } from './observation-dedupe.js';
import { type ColumnDef, TABLES } from './schema.js';
import { tableSelectSql } from './table-sql.js';

/** What a commit does to the latest-state dataset: the rows that replace those of the partitions it touches. */
export interface LatestStateUpdate {
  /** A SELECT of the new rows of every touched partition (one per invocation in them). */
  select: string;
  /** The latest-state files those rows replace (retired by the same commit). */
  replaced: CatalogFile[];
}

const KEY = 'account, region_id, instance_id, invoke_id, creation_time';
const LISTING = [
  'invocation_status',
  'invoke_status',
  'command_type',
  'command_name',
  'command_content',
  'command_content_base64',
  'parameters',
];
const RESULT = [
  'exit_code',
  'output',
  'output_base64',
  'error_code',
  'error_info',
  'start_time',
  'finished_time',
  'invoke_user',
];

/**
 * The latest state of every invocation in the partitions that the observations in `kept` (a table or
 * SELECT of observations, with the columns `keptColumns`) touch: each invocation's newest listing, its
 * newest result, when it was first and last observed, and how many observations its history holds, from
 * the latest-state rows archived so far and the new observations together. Each invocation's history lives
 * in one `date=` partition (its creation date), so only the touched partitions are rewritten.
 */
export function latestStateUpdate(
  con: DuckDBConnection,
  archive: { root: string; catalog: Catalog },
  kept: string,
  keptColumns: readonly ColumnDef[],
  slice: LatestSlice,
): Promise<LatestStateUpdate> {
  return latestStateSelect(con, archive, kept, keptColumns, slice);
}

/** Part of the touched partitions: some dates, and of a date larger than a write's budget, a hash slice of its invocations. */
export interface LatestSlice {
  dates: string[];
  buckets?: number;
  bucket?: number;
}

/**
 * Which listing is an invocation's latest: the newest final one, else the newest. Statuses never leave a
 * final state, so a non-final state dated after a final one has a wrong time (a dump dated by its file)
 * and never replaces it. A final status adds 2^60 µs to the time (far beyond any epoch_us).
 */
const LISTING_RANK = `epoch_us(last_at) + CASE WHEN ${isFinalSql('invocation_status')} THEN (1::BIGINT << 60) ELSE 0 END`;

async function latestStateSelect(
  con: DuckDBConnection,
  archive: { root: string; catalog: Catalog },
  kept: string,
  keptColumns: readonly ColumnDef[],
  slice: LatestSlice,
): Promise<LatestStateUpdate> {
  const touched = new Set(slice.dates);
  const dates = slice.dates.map((d) => `'${d}'`).join(', ');
  const mine =
    `strftime(creation_time, '%Y-%m-%d') IN (${dates})` +
    (slice.buckets === undefined ? '' : ` AND hash(invoke_id) % ${slice.buckets} = ${slice.bucket}`);
  const replaced = archive.catalog.files.filter(
    (f) => f.table === 'invocations_latest' && touched.has(f.partition.date ?? ''),
  );
  const old = await tableSelectSql(
    con,
    archive.root,
    { ...archive.catalog, files: replaced },
    'invocations_latest',
  );
  const has = new Set(keptColumns.map((c) => c.name));
  const col = (name: string) => (has.has(name) ? name : `NULL::VARCHAR AS ${name}`);
  const incoming = `SELECT ${KEY}, ${LISTING.map(col).join(', ')}, has_result, ${RESULT.map(col).join(', ')},
      observed_at AS first_at, observed_at AS last_at, CASE WHEN has_result THEN observed_at END AS result_at,
      1::BIGINT AS n, run_id, redaction_policy
    FROM (${kept}) WHERE ${mine}`;
  const archived = `SELECT ${KEY}, ${LISTING.join(', ')}, has_result, ${RESULT.join(', ')},
      first_observed_at AS first_at, last_observed_at AS last_at, result_observed_at AS result_at,
      observations AS n, last_run_id AS run_id, redaction_policy
    FROM (${old}) WHERE ${mine}`;
  const listing = [...LISTING, 'run_id', 'redaction_policy'].map((c) => `'${c}': ${c}`).join(', ');
  const result = RESULT.map((c) => `'${c}': ${c}`).join(', ');
  const select = `SELECT ${KEY}, ${LISTING.map((c) => `l.${c} AS ${c}`).join(', ')},
      r IS NOT NULL AS has_result, ${RESULT.map((c) => `r.${c} AS ${c}`).join(', ')},
      first_observed_at, last_observed_at, result_observed_at, observations,
      l.run_id AS last_run_id, l.redaction_policy AS redaction_policy
    FROM (
      SELECT ${KEY},
        arg_max({${listing}}, ${LISTING_RANK}) AS l,
        arg_max({${result}}, result_at) FILTER (WHERE has_result) AS r,
        min(first_at) AS first_observed_at, max(last_at) AS last_observed_at,
        max(result_at) AS result_observed_at, sum(n)::BIGINT AS observations
      FROM (${incoming} UNION ALL ${archived}) u
      GROUP BY ${KEY}
    )`;
  return { select, replaced };
}

/** Every column of the latest-state dataset, as its files hold them. */
export const LATEST_COLUMNS = TABLES.invocations_latest.columns;
