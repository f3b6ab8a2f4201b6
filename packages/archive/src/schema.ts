/** DuckDB types used by the datasets; all map to standard Parquet types. */
export type ColumnType = 'VARCHAR' | 'TIMESTAMPTZ' | 'INTEGER' | 'BIGINT' | 'BOOLEAN';

/** One column of a dataset. */
export interface ColumnDef {
  name: string;
  type: ColumnType;
  /** Schema version that added the column: files written before it lack it and read as NULL. */
  since: number;
  /**
   * Text that rarely repeats (ids, command output): staged as it is. All other text (statuses, commands,
   * instances, parameters) is dictionary-encoded on ingest, which is faster and would hold every distinct
   * value of a batch in memory once.
   */
  plain?: boolean;
}

/** One dataset: its columns (in file order), partitioning and sort order. */
export interface TableDef {
  name: TableName;
  columns: readonly ColumnDef[];
  /** Column whose UTC date names the `date=YYYY-MM-DD` partition. */
  partitionTime: string;
  /**
   * How much time one partition holds: a day, or a month (named by its first day, `date=YYYY-MM-01`) for a
   * dataset so small that a file a day would cost readers more to open than to read.
   * @default 'day'
   */
  partitionSpan?: 'day' | 'month';
  /** Sort order within each file (chosen for the trend queries; see the package README). */
  sortBy: readonly string[];
}

/** The datasets of an archive, each a folder under its root. */
export type TableName =
  | 'invocation_observations'
  | 'invocations_latest'
  | 'invocations_daily'
  | 'instances'
  | 'runs'
  | 'coverage';

/**
 * The schema version this code writes. History: 1 first release; 2 added the `*_base64` columns; 3 added the
 * `invocations_latest` dataset; 4 added the `invocations_daily` dataset.
 */
export const SCHEMA_VERSION = 4;

const c = (name: string, type: ColumnType, extra: Partial<ColumnDef> = {}): ColumnDef => ({
  name,
  type,
  since: 1,
  ...extra,
});
const r = (name: string): ColumnDef => c(name, 'VARCHAR');

/** The schema of every dataset (the package README has the same as a table). */
export const TABLES: Readonly<Record<TableName, TableDef>> = {
  invocation_observations: {
    name: 'invocation_observations',
    partitionTime: 'creation_time',
    sortBy: ['region_id', 'instance_id', 'creation_time', 'invoke_id', 'observed_at'],
    columns: [
      r('account'),
      r('region_id'),
      r('instance_id'),
      c('invoke_id', 'VARCHAR', { plain: true }),
      c('creation_time', 'TIMESTAMPTZ'),
      r('invocation_status'),
      r('invoke_status'),
      r('command_type'),
      r('command_name'),
      r('command_content'),
      c('command_content_base64', 'VARCHAR', { since: 2 }),
      r('parameters'),
      c('observed_at', 'TIMESTAMPTZ'),
      r('run_id'),
      c('has_result', 'BOOLEAN'),
      c('exit_code', 'INTEGER'),
      c('output', 'VARCHAR', { plain: true }),
      c('output_base64', 'VARCHAR', { since: 2, plain: true }),
      r('error_code'),
      r('error_info'),
      c('start_time', 'TIMESTAMPTZ'),
      c('finished_time', 'TIMESTAMPTZ'),
      r('invoke_user'),
      r('redaction_policy'),
    ],
  },
  instances: {
    name: 'instances',
    partitionTime: 'observed_at',
    sortBy: ['account', 'region_id', 'instance_id', 'observed_at'],
    columns: [
      r('account'),
      r('region_id'),
      r('instance_id'),
      r('instance_name'),
      r('status'),
      r('business_status'),
      r('plan_id'),
      r('plan_type'),
      r('charge_type'),
      c('creation_time', 'TIMESTAMPTZ'),
      c('expired_time', 'TIMESTAMPTZ'),
      r('image_id'),
      r('os_type'),
      c('public_ip_address', 'VARCHAR'),
      c('inner_ip_address', 'VARCHAR'),
      r('resource_group_id'),
      c('uuid', 'VARCHAR'),
      c('tags', 'VARCHAR'),
      c('released_at', 'TIMESTAMPTZ'),
      c('observed_at', 'TIMESTAMPTZ'),
      r('run_id'),
    ],
  },
  invocations_latest: {
    // One row per invocation: its latest observed state with its latest result, kept by every commit.
    name: 'invocations_latest',
    partitionTime: 'creation_time',
    sortBy: ['region_id', 'instance_id', 'creation_time', 'invoke_id'],
    columns: [
      c('account', 'VARCHAR', { since: 3 }),
      c('region_id', 'VARCHAR', { since: 3 }),
      c('instance_id', 'VARCHAR', { since: 3 }),
      c('invoke_id', 'VARCHAR', { since: 3, plain: true }),
      c('creation_time', 'TIMESTAMPTZ', { since: 3 }),
      c('invocation_status', 'VARCHAR', { since: 3 }),
      c('invoke_status', 'VARCHAR', { since: 3 }),
      c('command_type', 'VARCHAR', { since: 3 }),
      c('command_name', 'VARCHAR', { since: 3 }),
      c('command_content', 'VARCHAR', { since: 3 }),
      c('command_content_base64', 'VARCHAR', { since: 3 }),
      c('parameters', 'VARCHAR', { since: 3 }),
      c('has_result', 'BOOLEAN', { since: 3 }),
      c('exit_code', 'INTEGER', { since: 3 }),
      c('output', 'VARCHAR', { since: 3, plain: true }),
      c('output_base64', 'VARCHAR', { since: 3, plain: true }),
      c('error_code', 'VARCHAR', { since: 3 }),
      c('error_info', 'VARCHAR', { since: 3 }),
      c('start_time', 'TIMESTAMPTZ', { since: 3 }),
      c('finished_time', 'TIMESTAMPTZ', { since: 3 }),
      c('invoke_user', 'VARCHAR', { since: 3 }),
      c('first_observed_at', 'TIMESTAMPTZ', { since: 3 }),
      c('last_observed_at', 'TIMESTAMPTZ', { since: 3 }),
      c('result_observed_at', 'TIMESTAMPTZ', { since: 3 }),
      c('observations', 'BIGINT', { since: 3 }),
      c('last_run_id', 'VARCHAR', { since: 3 }),
      c('redaction_policy', 'VARCHAR', { since: 3 }),
    ],
  },
  invocations_daily: {
    // How many invocations each UTC creation day holds per account, region, instance, command and status,
    // by their latest state: what the trend reports read instead of every invocation. Kept by every commit.
    name: 'invocations_daily',
    partitionTime: 'day',
    partitionSpan: 'month',
    sortBy: [
      'region_id',
      'instance_id',
      'day',
      'command_name',
      'command_type',
      'invocation_status',
      'account',
    ],
    columns: [
      c('day', 'TIMESTAMPTZ', { since: 4 }),
      c('account', 'VARCHAR', { since: 4 }),
      c('region_id', 'VARCHAR', { since: 4 }),
      c('instance_id', 'VARCHAR', { since: 4 }),
      c('command_name', 'VARCHAR', { since: 4 }),
      c('command_type', 'VARCHAR', { since: 4 }),
      c('invocation_status', 'VARCHAR', { since: 4 }),
      c('invocations', 'BIGINT', { since: 4 }),
      c('last_creation_time', 'TIMESTAMPTZ', { since: 4 }),
    ],
  },
  runs: {
    name: 'runs',
    partitionTime: 'started_at',
    sortBy: ['started_at'],
    columns: [
      c('run_id', 'VARCHAR'),
      c('started_at', 'TIMESTAMPTZ'),
      c('finished_at', 'TIMESTAMPTZ'),
      c('outcome', 'VARCHAR'),
      c('accounts', 'VARCHAR'),
      c('calls_by_action', 'VARCHAR'),
      c('throttles', 'BIGINT'),
      c('retries', 'BIGINT'),
      c('records_new', 'BIGINT'),
      c('records_changed', 'BIGINT'),
      c('instances_complete', 'BIGINT'),
      c('instances_incomplete', 'BIGINT'),
      c('gaps_found', 'BIGINT'),
      c('redaction_policy', 'VARCHAR'),
    ],
  },
  coverage: {
    name: 'coverage',
    partitionTime: 'observed_at',
    sortBy: ['account', 'region_id', 'instance_id', 'observed_at'],
    columns: [
      r('run_id'),
      r('account'),
      r('region_id'),
      r('instance_id'),
      c('observed_at', 'TIMESTAMPTZ'),
      c('complete', 'BOOLEAN'),
      c('window_start', 'TIMESTAMPTZ'),
      c('window_end', 'TIMESTAMPTZ'),
      c('joined_previous', 'BOOLEAN'),
      c('gap_start', 'TIMESTAMPTZ'),
      c('gap_end', 'TIMESTAMPTZ'),
      r('gap_reason'),
      c('detail', 'VARCHAR'),
    ],
  },
};

/** Every dataset's name. */
export const TABLE_NAMES = Object.keys(TABLES) as TableName[];

/** Columns a writer of `version` writes. */
export function columnsAt(table: TableDef, version: number): ColumnDef[] {
  return table.columns.filter((col) => col.since <= version);
}
