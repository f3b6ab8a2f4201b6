import { mkdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { type JournalFile, STAGING_DIR } from './commit-journal.js';
import { fsyncDir, fsyncFile, sha256File } from './durable-fs.js';
import { type ColumnDef, columnsAt, type TableDef } from './schema.js';
import { sqlString } from './table-sql.js';

/** Which commit {@link ParquetFileWriter} writes for, and how. */
export interface ParquetFileTarget {
  /** The archive's folder. */
  root: string;
  /** The commit's snapshot id: names its staging folder and its files. */
  snapshotId: string;
  /** Recorded on every file; also picks the columns written unless a write names them. */
  schemaVersion: number;
  /** Rows per Parquet row group. */
  rowGroupSize: number;
}

/**
 * Writes one commit's Parquet files into its staging folder, `_staging/<snapshot>/<table>/date=…/`,
 * durably, and describes each as a {@link JournalFile}. The connection must be in UTC (the archive's is):
 * partition dates are the UTC dates of the table's `partitionTime`.
 */
export class ParquetFileWriter {
  readonly #stagingRoot: string;

  constructor(
    private readonly con: DuckDBConnection,
    private readonly target: ParquetFileTarget,
  ) {
    this.#stagingRoot = join(target.root, STAGING_DIR, target.snapshotId);
  }

  /**
   * COPYs the rows of `select` into `date=` partitions of `table`, sorted by its `sortBy`, as
   * `part-<snapshot>-<n>.parquet`; fsyncs every file and folder; takes each file's size, SHA-256 and row
   * count. Returns one entry per file with rows (none when `select` has no rows).
   */
  async write(
    table: TableDef,
    select: string,
    columns: readonly ColumnDef[] = columnsAt(table, this.target.schemaVersion),
  ): Promise<JournalFile[]> {
    const { root, snapshotId, schemaVersion, rowGroupSize } = this.target;
    await mkdir(this.#stagingRoot, { recursive: true }); // DuckDB creates the table's folder, not its parents
    const dir = join(this.#stagingRoot, table.name);
    const sql = `COPY (SELECT ${columns.map((c) => `"${c.name}"`).join(', ')}, strftime("${table.partitionTime}", '%Y-%m-%d') AS date FROM (${select}) ORDER BY ${table.sortBy.map((c) => `"${c}"`).join(', ')})
      TO ${sqlString(dir)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE ${rowGroupSize}, PARTITION_BY (date),
      FILENAME_PATTERN ${sqlString(`part-${snapshotId}-{i}`)}, RETURN_STATS true, OVERWRITE_OR_IGNORE true)`;
    const stats = await this.con.runAndReadAll(sql);
    const files: JournalFile[] = [];
    const dirs = new Set<string>();
    for (const row of stats.getRowObjects()) {
      const rowsInFile = Number(row.count);
      if (rowsInFile === 0) continue;
      const path = String(row.filename);
      await fsyncFile(path);
      dirs.add(join(path, '..'));
      const inTable = relative(dir, path).split(sep).join('/');
      files.push({
        table: table.name,
        path: `${table.name}/${inTable}`,
        staged: relative(root, path).split(sep).join('/'),
        partition: { date: /date=([^/]+)\//.exec(inTable)?.[1] ?? '' },
        rows: rowsInFile,
        bytes: (await stat(path)).size,
        sha256: await sha256File(path),
        snapshotId,
        schemaVersion,
      });
    }
    for (const d of dirs) await fsyncDir(d);
    return files;
  }
}
