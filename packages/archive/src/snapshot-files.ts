import type { DuckDBConnection } from '@duckdb/node-api';
import type { Catalog } from './catalog.js';
import type { JournalFile } from './commit-journal.js';
import { writeDailyCounts } from './daily-counts.js';
import { LATEST_COLUMNS, latestStateUpdate } from './latest-state.js';
import { type ParquetFileTarget, ParquetFileWriter, planParts, rowBytesSql } from './parquet-file-writer.js';
import { type ColumnDef, columnsAt, SCHEMA_VERSION, TABLES, type TableName } from './schema.js';
import { tableSelectSql } from './table-sql.js';

/** The staged rows of a snapshot, as SELECTs of its stages (the observations: those the dedupe kept). */
export interface SnapshotSources {
  observations: string;
  instances: string;
  coverage: string;
  runs: string;
}

/** The files a commit staged, its rows per table, and the files they replace. */
export interface SnapshotFiles {
  files: JournalFile[];
  rows: Partial<Record<TableName, number>>;
  /** Paths of the latest-state and daily-count files the staged ones replace. */
  replaced: string[];
}

/**
 * Writes every table's staged rows to staging as Parquet, and the new latest state of every partition the
 * observations touch, which replaces the files it held, with the daily counts of those partitions' months.
 */
export async function writeSnapshotFiles(
  con: DuckDBConnection,
  archive: { root: string; catalog: Catalog },
  target: ParquetFileTarget,
  sources: SnapshotSources,
): Promise<SnapshotFiles> {
  const writer = new ParquetFileWriter(con, target);
  const files: JournalFile[] = [];
  const rows: Partial<Record<TableName, number>> = {};
  const add = (table: TableName, written: JournalFile[]) => {
    files.push(...written);
    const n = written.reduce((s, f) => s + f.rows, 0);
    if (n > 0) rows[table] = n;
  };
  const staged: [TableName, string][] = [
    ['invocation_observations', sources.observations],
    ['instances', sources.instances],
    ['coverage', sources.coverage],
    ['runs', sources.runs],
  ];
  // Every source is a scan of a stage: a write cut into parts reads it again rather than copying it.
  for (const [table, select] of staged)
    add(table, await writer.write(TABLES[table], select, undefined, { scan: true }));
  const latest: JournalFile[] = [];
  const replaced = await writeLatest(con, archive, target, sources.observations, (written) => {
    add('invocations_latest', written);
    latest.push(...written);
  });
  // The daily counts of the dates whose latest state changed, from that state as just written.
  const daily = await writeDailyCounts(con, archive, target, latest);
  add('invocations_daily', daily.files);
  return { files, rows, replaced: [...replaced, ...daily.replaced.map((f) => f.path)] };
}

/**
 * Writes the new latest state of the partitions the `kept` observations touch, a slice of them at a time
 * (a slice holds their rows and the latest state they replace within the write budget); returns the
 * latest-state files replaced.
 */
async function writeLatest(
  con: DuckDBConnection,
  archive: { root: string; catalog: Catalog },
  target: ParquetFileTarget,
  kept: string,
  add: (written: JournalFile[]) => void,
): Promise<string[]> {
  const observed = columnsAt(TABLES.invocation_observations, target.schemaVersion);
  const sizes = await latestSizes(con, archive, kept, observed);
  // The latest state exists from schema version 3 on, whatever version the observations are written at.
  const latest = new ParquetFileWriter(con, { ...target, schemaVersion: SCHEMA_VERSION });
  const replaced = new Set<string>();
  // An aggregate holds each invocation's newest listing and result at once: a third of the budget each.
  for (const slice of planParts(sizes, target.budgetBytes / 3)) {
    const update = await latestStateUpdate(con, archive, kept, observed, slice);
    // At most one row per invocation of the slice, which was sized to fit: no need to measure the rows
    // first (that would compute the aggregate twice, the larger part of a big commit's time).
    add(await latest.write(TABLES.invocations_latest, update.select, LATEST_COLUMNS, { fits: slice.dates }));
    for (const f of update.replaced) replaced.add(f.path);
  }
  return [...replaced];
}

/**
 * Bytes, by creation date in date order, of the `kept` observations and of the latest state the archive
 * holds for those dates (measured too, as compression varies a lot): what a date's new latest state reads.
 */
async function latestSizes(
  con: DuckDBConnection,
  archive: { root: string; catalog: Catalog },
  kept: string,
  observed: readonly ColumnDef[],
): Promise<[string, number][]> {
  const byDate = await con.runAndReadAll(
    `SELECT strftime(creation_time, '%Y-%m-%d') AS date, sum(${rowBytesSql(observed)}) FROM (${kept}) GROUP BY 1 ORDER BY 1`,
  );
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
    const measured = await con.runAndReadAll(
      `SELECT strftime(creation_time, '%Y-%m-%d'), sum(${rowBytesSql(LATEST_COLUMNS)}) FROM (${old}) GROUP BY 1`,
    );
    for (const [d, b] of measured.getRows()) held.set(String(d), Number(b));
  }
  return byDate
    .getRows()
    .map(([d, b]): [string, number] => [String(d), Number(b) + (held.get(String(d)) ?? 0)]);
}
