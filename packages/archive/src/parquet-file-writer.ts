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
  /** Rows per Parquet row group (fewer when a group would pass a quarter of `budgetBytes`). */
  rowGroupSize: number;
  /**
   * Most bytes of rows one COPY sorts and writes. DuckDB cannot sort (nor buffer a Parquet row group)
   * much more than its memory limit, so larger writes are split: dates into separate COPYs, and a date
   * larger than this into several files by a hash of the sort key.
   */
  budgetBytes: number;
}

/** Dates written by one COPY; with `buckets`, only the rows whose key hashes to `bucket`. */
export interface WritePart {
  dates: string[];
  buckets?: number;
  bucket?: number;
}

/** How {@link ParquetFileWriter.write} may read its rows. */
export interface WriteOptions {
  /**
   * The dates the SELECT holds, when the caller knows its rows fit in `budgetBytes` (sized them itself):
   * written in one COPY without measuring them first, which would compute the SELECT twice.
   */
  fits?: readonly string[];
  /**
   * The SELECT is a cheap scan of rows already held (a staging table): a write cut into several COPYs
   * reads it again for each one rather than holding a copy of every row in a temp table, which next to
   * the rows themselves would need twice their memory (DuckDB ran out of it at 500,000 imported rows).
   */
  scan?: boolean;
}

/** The temp table that holds the rows of a write cut into several COPYs. */
const SOURCE = '__parquet_write_source';

/** Partitions one COPY writes at most: each open partition file holds buffers of its own. */
const MAX_DATES_PER_COPY = 16;

/**
 * Writes one commit's Parquet files into its staging folder, `_staging/<snapshot>/<table>/date=…/`,
 * durably, and describes each as a {@link JournalFile}. The connection must be in UTC (the archive's is):
 * partition dates are the UTC dates of the table's `partitionTime`. Memory stays bounded whatever the size
 * of the write: it is cut into parts of at most `budgetBytes`.
 */
export class ParquetFileWriter {
  readonly #stagingRoot: string;
  /** Parts written so far, by table and partition date. */
  readonly #written = new Map<string, number>();

  constructor(
    private readonly con: DuckDBConnection,
    private readonly target: ParquetFileTarget,
  ) {
    this.#stagingRoot = join(target.root, STAGING_DIR, target.snapshotId);
  }

  /**
   * COPYs the rows of `select` into `date=` partitions of `table`, each file sorted by the table's
   * `sortBy`, as `part-<snapshot>-<n>.parquet`; fsyncs every file and folder; takes each file's size,
   * SHA-256 and row count. Returns one entry per file with rows (none when `select` has no rows).
   */
  async write(
    table: TableDef,
    select: string,
    columns: readonly ColumnDef[] = columnsAt(table, this.target.schemaVersion),
    options: WriteOptions = {},
  ): Promise<JournalFile[]> {
    const { fits } = options;
    await mkdir(this.#stagingRoot, { recursive: true }); // DuckDB creates the table's folder, not its parents
    const list = columns.map((c) => `"${c.name}"`).join(', ');
    const day = table.partitionSpan === 'month' ? '%Y-%m-01' : '%Y-%m-%d';
    let dated = `SELECT ${list}, strftime("${table.partitionTime}", '${day}') AS date FROM (${select})`;
    const parts =
      fits && fits.length <= MAX_DATES_PER_COPY ? [{ dates: [...fits] }] : await this.#plan(dated, columns);
    if (parts.length > 1 && !options.scan) {
      // Several COPYs read the rows: compute them once (a temp table, which DuckDB spills as needed).
      await this.con.run(`CREATE OR REPLACE TEMP TABLE ${SOURCE} AS ${dated}`);
      dated = `SELECT * FROM ${SOURCE}`;
    }
    try {
      const files: JournalFile[] = [];
      const dirs = new Set<string>();
      for (const part of parts) {
        // Names stay unique in each partition over every write of this writer (a date may be written in
        // several parts, or several calls): the first part in a partition keeps the plain name.
        const keys = part.dates.map((d) => `${table.name}/${d}`);
        const n = Math.max(...keys.map((k) => this.#written.get(k) ?? 0));
        for (const k of keys) this.#written.set(k, n + 1);
        for (const file of await this.#copy(table, dated, columns, part, n)) {
          files.push(file);
          dirs.add(join(this.target.root, file.staged, '..'));
        }
      }
      for (const d of dirs) await fsyncDir(d);
      return files;
    } finally {
      await this.con.run(`DROP TABLE IF EXISTS ${SOURCE}`);
    }
  }

  /** Cuts the write into parts of at most `budgetBytes`, from each date's row count and text size. */
  async #plan(dated: string, columns: readonly ColumnDef[]): Promise<WritePart[]> {
    const size = rowBytesSql(columns);
    const reader = await this.con.runAndReadAll(
      `SELECT date, sum(${size}) AS bytes FROM (${dated}) GROUP BY date ORDER BY date`,
    );
    return planParts(
      reader.getRows().map(([date, bytes]) => [String(date), Number(bytes)]),
      this.target.budgetBytes,
    );
  }

  /** Writes one part: one sorted COPY into its dates' partitions; describes each file written. */
  async #copy(
    table: TableDef,
    dated: string,
    columns: readonly ColumnDef[],
    part: WritePart,
    n: number,
  ): Promise<JournalFile[]> {
    const { root, snapshotId, schemaVersion, rowGroupSize, budgetBytes } = this.target;
    const dir = join(this.#stagingRoot, table.name);
    const sortBy = table.sortBy.map((c) => `"${c}"`).join(', ');
    const where = [`date IN (${part.dates.map(sqlString).join(', ')})`];
    if (part.buckets !== undefined) where.push(`hash(${sortBy}) % ${part.buckets} = ${part.bucket}`);
    // The first part keeps the plain name; later parts of the same commit add their number.
    const name = n === 0 ? `part-${snapshotId}-{i}` : `part-${snapshotId}-${n}-{i}`;
    const rowGroupBytes = Math.max(1 << 20, Math.floor(budgetBytes / 4));
    const sql = `COPY (SELECT ${columns.map((c) => `"${c.name}"`).join(', ')}, date FROM (${dated})
        WHERE ${where.join(' AND ')} ORDER BY ${sortBy})
      TO ${sqlString(dir)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE ${rowGroupSize},
        ROW_GROUP_SIZE_BYTES ${rowGroupBytes}, PARTITION_BY (date), FILENAME_PATTERN ${sqlString(name)},
        RETURN_STATS true, OVERWRITE_OR_IGNORE true)`;
    const stats = await this.con.runAndReadAll(sql);
    const files: JournalFile[] = [];
    for (const row of stats.getRowObjects()) {
      const rowsInFile = Number(row.count);
      if (rowsInFile === 0) continue;
      const path = String(row.filename);
      await fsyncFile(path);
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
    return files;
  }
}

/**
 * A SQL expression of the bytes one row of `columns` takes in DuckDB's memory as it sorts and buffers it:
 * each text is a 16-byte header plus its characters (short texts fit in the header, but counting them
 * again errs on the safe side), every other value 8 bytes plus its validity. Counting the characters
 * alone made a write of many short columns (an import: 24 columns, ~200 characters a row) 2 to 3 times
 * larger in memory than its budget, and DuckDB ran out of memory writing 500,000 rows at 128 MB.
 */
export function rowBytesSql(columns: readonly ColumnDef[]): string {
  return columns
    .map((c) => (c.type === 'VARCHAR' ? `16 + coalesce(strlen("${c.name}"), 0)` : '9'))
    .join(' + ');
}

/**
 * Cuts a write of `dateBytes` (bytes of rows by date, in date order) into parts of at most `budget` bytes:
 * consecutive dates together (at most {@link MAX_DATES_PER_COPY}), and a date larger than the budget in
 * several slices by key hash.
 */
export function planParts(dateBytes: readonly [date: string, bytes: number][], budget: number): WritePart[] {
  const parts: WritePart[] = [];
  let group: WritePart = { dates: [] };
  let groupBytes = 0;
  const flush = () => {
    if (group.dates.length > 0) parts.push(group);
    group = { dates: [] };
    groupBytes = 0;
  };
  for (const [date, bytes] of dateBytes) {
    if (bytes > budget) {
      const buckets = Math.ceil(bytes / budget);
      for (let bucket = 0; bucket < buckets; bucket++) parts.push({ dates: [date], buckets, bucket });
      continue;
    }
    if (groupBytes + bytes > budget || group.dates.length >= MAX_DATES_PER_COPY) flush();
    group.dates.push(date);
    groupBytes += bytes;
  }
  flush();
  return parts;
}
