import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Catalog } from './catalog.js';
import { ArchiveUsageError } from './errors.js';
import { type ColumnType, columnsAt, TABLE_NAMES, TABLES, type TableName } from './schema.js';
import { sqlString } from './table-sql.js';

/** The engines `externalTableDdl` writes for. */
export const DDL_ENGINES = ['duckdb', 'spark', 'trino', 'hive', 'maxcompute'] as const;
export type DdlEngine = (typeof DDL_ENGINES)[number];

/** Options of {@link externalTableDdl}. */
export interface ExternalDdlOptions {
  engine: DdlEngine;
  /** The archive's folder, absolute (its catalog gives the columns the files hold). */
  root: string;
  catalog: Catalog;
  /**
   * Where the engine reads the archive: a URL (`s3://bucket/prefix`, `oss://endpoint/bucket/prefix`,
   * `hdfs://…`, `file:///…`) or a local folder. @default `root` (as a `file://` URL for Spark, Trino, Hive)
   */
  location?: string;
  /** The database (schema) the tables go in; not for DuckDB. @default 'swas_archive' */
  schema?: string;
  /**
   * DuckDB only: read exactly the files the catalog lists now (one snapshot, never an uncommitted file;
   * stale after the next commit) instead of a glob of each table's folder. @default false
   */
  pin?: boolean;
}

/** The partition column every dataset has: `date=YYYY-MM-DD` folders (a month's first day for the daily counts). */
const PARTITION = 'date';

/** How each engine names the archive's column types (all standard Parquet types). */
const TYPES: Record<DdlEngine, Record<ColumnType, string>> = {
  duckdb: {
    VARCHAR: 'VARCHAR',
    TIMESTAMPTZ: 'TIMESTAMPTZ',
    INTEGER: 'INTEGER',
    BIGINT: 'BIGINT',
    BOOLEAN: 'BOOLEAN',
  },
  // Spark's TIMESTAMP is the local-time-zone kind (TIMESTAMP_LTZ): an instant, as the files store it.
  spark: {
    VARCHAR: 'STRING',
    TIMESTAMPTZ: 'TIMESTAMP',
    INTEGER: 'INT',
    BIGINT: 'BIGINT',
    BOOLEAN: 'BOOLEAN',
  },
  hive: { VARCHAR: 'STRING', TIMESTAMPTZ: 'TIMESTAMP', INTEGER: 'INT', BIGINT: 'BIGINT', BOOLEAN: 'BOOLEAN' },
  // The Hive connector's timestamps have the catalog's `hive.timestamp-precision` (milliseconds by default).
  trino: {
    VARCHAR: 'VARCHAR',
    TIMESTAMPTZ: 'TIMESTAMP(3)',
    INTEGER: 'INTEGER',
    BIGINT: 'BIGINT',
    BOOLEAN: 'BOOLEAN',
  },
  maxcompute: {
    VARCHAR: 'STRING',
    TIMESTAMPTZ: 'TIMESTAMP',
    INTEGER: 'INT',
    BIGINT: 'BIGINT',
    BOOLEAN: 'BOOLEAN',
  },
};

/** An identifier, quoted as the engine quotes one (every column: `date`, `day`, `output` are keywords somewhere). */
const ident = (engine: DdlEngine, name: string): string =>
  engine === 'duckdb' || engine === 'trino' ? `"${name}"` : `\`${name}\``;

/**
 * The statements that make each dataset of the archive an external table of `engine`, over its
 * Hive-partitioned Parquet files, with the archive's column types and `date` (a string) as the partition
 * column. DuckDB gets views over `read_parquet`; Spark, Hive and MaxCompute a table and `MSCK REPAIR TABLE`
 * to find the partitions; Trino (Hive connector) a table and `system.sync_partition_metadata`. Engines other
 * than DuckDB read a folder: they see every file in it, including those of a commit in progress (see the
 * package README, "Reading in place").
 */
export function externalTableDdl(options: ExternalDdlOptions): string {
  const { engine } = options;
  const base = baseLocation(options);
  const schema = options.schema ?? 'swas_archive';
  if (!/^[A-Za-z_][\w]{0,127}$/.test(schema))
    throw new ArchiveUsageError(
      `the schema name "${schema}" must be letters, digits and _ (not starting with a digit)`,
      options.root,
    );
  if (options.pin && engine !== 'duckdb')
    throw new ArchiveUsageError('pinning to the committed files is for DuckDB only', options.root);
  const header = [
    `-- swas-archive: the datasets of ${options.root} as ${engine} tables (catalog version ${options.catalog.version}, schema version ${options.catalog.schemaVersion})`,
    `-- partitioned by ${PARTITION}=YYYY-MM-DD folders; the catalog (catalog.json) lists the committed files`,
  ];
  const body = TABLE_NAMES.map((table) => {
    const location = `${base}/${table}`;
    if (engine === 'duckdb') return duckdbView(options, table, location);
    if (engine === 'spark') return sparkTable(schema, table, location);
    if (engine === 'hive') return hiveTable(schema, table, location);
    if (engine === 'trino') return trinoTable(schema, table, location);
    return maxcomputeTable(table, location);
  });
  const prelude =
    engine === 'spark' || engine === 'hive'
      ? [`CREATE DATABASE IF NOT EXISTS ${ident(engine, schema)};`]
      : engine === 'trino'
        ? [`CREATE SCHEMA IF NOT EXISTS ${ident(engine, schema)};`]
        : engine === 'maxcompute'
          ? ['SET odps.sql.type.system.odps2=true;']
          : [];
  return `${[...header, ...prelude, '', ...body].join('\n')}\n`;
}

/** The archive's location as the engine reads it, without a trailing `/`. */
function baseLocation(options: ExternalDdlOptions): string {
  const given = options.location?.replace(/\/+$/, '');
  const isUrl = (s: string) => /^[a-z][a-z0-9+.-]*:\/\//i.test(s);
  if (options.engine === 'maxcompute' && !given?.startsWith('oss://'))
    throw new ArchiveUsageError(
      'MaxCompute reads external tables from OSS: give the location as oss://<endpoint>/<bucket>/<prefix> (the archive copied or written there)',
      options.root,
    );
  if (given && isUrl(given)) return given;
  if (given && !isAbsolute(given))
    throw new ArchiveUsageError(
      `the location "${given}" must be a URL (s3://, oss://, hdfs://, file://) or an absolute folder`,
      options.root,
    );
  const local = given ?? options.root;
  return options.engine === 'duckdb' ? local : pathToFileURL(local).href;
}

/** `"name" TYPE` for each column, the partition column excluded. */
const columnList = (engine: DdlEngine, table: TableName): string[] =>
  TABLES[table].columns.map((c) => `  ${ident(engine, c.name)} ${TYPES[engine][c.type]}`);

function duckdbView(options: ExternalDdlOptions, table: TableName, location: string): string {
  const def = TABLES[table];
  const files = options.catalog.files.filter((f) => f.table === table);
  // A column no committed file has yet (an archive older than it) reads as NULL: DuckDB cannot name it.
  const newest = Math.max(0, ...files.map((f) => f.schemaVersion));
  const present = new Set(columnsAt(def, newest).map((c) => c.name));
  const cols = def.columns.map((c) =>
    present.has(c.name)
      ? `CAST("${c.name}" AS ${c.type}) AS "${c.name}"`
      : `CAST(NULL AS ${c.type}) AS "${c.name}"`,
  );
  const head = `CREATE OR REPLACE VIEW "${table}" AS`;
  if (files.length === 0) {
    const empty = def.columns.map((c) => `CAST(NULL AS ${c.type}) AS "${c.name}"`);
    return `${head}\n  SELECT ${[...empty, `CAST(NULL AS VARCHAR) AS "${PARTITION}"`].join(', ')} WHERE false;\n`;
  }
  const source = options.pin
    ? `[${files.map((f) => sqlString(`${location}/${f.path.slice(table.length + 1)}`)).join(', ')}]`
    : sqlString(`${location}/${PARTITION}=*/*.parquet`);
  return `${head}\n  SELECT ${[...cols, `"${PARTITION}"`].join(',\n    ')}\n  FROM read_parquet(${source}, hive_partitioning = true, union_by_name = true, hive_types = {'${PARTITION}': 'VARCHAR'});\n`;
}

function sparkTable(schema: string, table: TableName, location: string): string {
  const name = `${ident('spark', schema)}.${ident('spark', table)}`;
  return [
    `CREATE TABLE IF NOT EXISTS ${name} (`,
    [...columnList('spark', table), `  ${ident('spark', PARTITION)} STRING`].join(',\n'),
    ')',
    'USING PARQUET',
    `PARTITIONED BY (${ident('spark', PARTITION)})`,
    `LOCATION ${sqlString(location)};`,
    `MSCK REPAIR TABLE ${name};`,
    '',
  ].join('\n');
}

function hiveTable(schema: string, table: TableName, location: string): string {
  const name = `${ident('hive', schema)}.${ident('hive', table)}`;
  return [
    `CREATE EXTERNAL TABLE IF NOT EXISTS ${name} (`,
    columnList('hive', table).join(',\n'),
    ')',
    `PARTITIONED BY (${ident('hive', PARTITION)} STRING)`,
    'STORED AS PARQUET',
    `LOCATION ${sqlString(location)};`,
    `MSCK REPAIR TABLE ${name};`,
    '',
  ].join('\n');
}

function trinoTable(schema: string, table: TableName, location: string): string {
  const name = `${ident('trino', schema)}.${ident('trino', table)}`;
  return [
    // The partition column must come last in a Hive connector table.
    `CREATE TABLE IF NOT EXISTS ${name} (`,
    [...columnList('trino', table), `  ${ident('trino', PARTITION)} VARCHAR`].join(',\n'),
    ')',
    'WITH (',
    `  external_location = ${sqlString(location)},`,
    `  format = 'PARQUET',`,
    `  partitioned_by = ARRAY['${PARTITION}']`,
    ');',
    `CALL system.sync_partition_metadata(schema_name => ${sqlString(schema)}, table_name => ${sqlString(table)}, mode => 'ADD');`,
    '',
  ].join('\n');
}

function maxcomputeTable(table: TableName, location: string): string {
  return [
    `CREATE EXTERNAL TABLE IF NOT EXISTS ${ident('maxcompute', table)} (`,
    columnList('maxcompute', table).join(',\n'),
    ')',
    `PARTITIONED BY (${ident('maxcompute', PARTITION)} STRING)`,
    'STORED AS PARQUET',
    `LOCATION ${sqlString(`${location}/`)};`,
    `MSCK REPAIR TABLE ${ident('maxcompute', table)} ADD PARTITIONS;`,
    '',
  ].join('\n');
}
