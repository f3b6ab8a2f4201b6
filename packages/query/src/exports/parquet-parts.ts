import { mkdtemp, readdir, rename, rm, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { type Catalog, registerTables } from '@swas-archive/archive';
import { ExportUsageError } from '../errors.js';
import { bindParams, type QueryParams } from '../query-params.js';
import { viewsFor } from '../views.js';

/** `s` as a DuckDB string literal. */
const sqlString = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/** Rows per Parquet row group at most (about the archive's own 100,000, in whole vectors). */
const ROW_GROUP_ROWS = 49 * 2048;
/** Rows of a DuckDB vector: row groups are cut at multiples of it. */
const VECTOR_ROWS = 2048;

/** What {@link writeParquetParts} needs. */
export interface ParquetPartsOptions {
  root: string;
  /** The catalog the export's session reads: this instance reads the same committed files. */
  catalog: Catalog;
  /** The SELECT of the export over the documented views, and its parameters. */
  sql: string;
  params: QueryParams;
  /** Where the files go (the export's staging folder). */
  folder: string;
  maxRowsPerFile: number;
  maxBytesPerFile: number;
  memoryLimit?: string;
  /** Names the n-th file (from 1). */
  fileName: (n: number) => string;
}

/**
 * The export's rows as Parquet files, written by DuckDB (zstd, UTC timestamps, the archive's column types).
 * The query session is locked to reading the archive and cannot write a file, so this uses a DuckDB of its
 * own over the same committed files (by their catalog paths), allowed to read only the archive and write only
 * the staging folder, one thread so that files follow the export's order. Files roll over at
 * `maxRowsPerFile` rows (whole row groups, see {@link parquetRowGroups}) and after the row group that passes
 * `maxBytesPerFile`. Returns the files' names in order.
 */
export async function writeParquetParts(options: ParquetPartsOptions): Promise<string[]> {
  const { rowGroup, perFile } = parquetRowGroups(options.maxRowsPerFile);
  const spill = await mkdtemp(join(tmpdir(), 'swas-archive-export-'));
  const parts = join(options.folder, '.parquet-parts');
  const db = await DuckDBInstance.create(':memory:', {
    memory_limit: options.memoryLimit ?? '160MB',
    threads: '1',
    temp_directory: spill,
    preserve_insertion_order: 'true',
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
  });
  const con = await db.connect();
  try {
    await con.run(`SET TimeZone = 'UTC'`);
    await registerTables(con, options.root, options.catalog);
    for (const view of viewsFor(options.catalog))
      await con.run(`CREATE OR REPLACE TEMP VIEW "${view.name}" AS ${view.sql}`);
    const dirs = [options.root, options.folder, spill].map((d) => sqlString(d.endsWith('/') ? d : `${d}/`));
    await con.run(`SET allowed_directories = [${dirs.join(', ')}]`);
    await con.run('SET enable_external_access = false');
    await con.run('SET lock_configuration = true');
    const copy = await con.prepare(
      `COPY (${options.sql}) TO ${sqlString(parts)} (FORMAT parquet, COMPRESSION zstd,
        ROW_GROUP_SIZE ${rowGroup}, ROW_GROUPS_PER_FILE ${perFile},
        FILE_SIZE_BYTES ${options.maxBytesPerFile}, FILENAME_PATTERN 'part-{i}', PER_THREAD_OUTPUT false)`,
    );
    try {
      bindParams(copy, options.params, options.sql);
      await copy.run();
    } finally {
      copy.destroySync();
    }
    const written = (await readdir(parts))
      .map((name) => ({ name, n: Number(/^part-(\d+)\.parquet$/.exec(name)?.[1] ?? Number.NaN) }))
      .filter((f) => Number.isInteger(f.n))
      .sort((a, b) => a.n - b.n);
    if (written.length === 0) {
      // No row: one empty file still carries the columns.
      const empty = await con.prepare(
        `COPY (${options.sql}) TO ${sqlString(join(options.folder, options.fileName(1)))} (FORMAT parquet, COMPRESSION zstd)`,
      );
      try {
        bindParams(empty, options.params, options.sql);
        await empty.run();
      } finally {
        empty.destroySync();
      }
      await rmdir(parts);
      return [options.fileName(1)];
    }
    const names: string[] = [];
    for (const [i, f] of written.entries()) {
      const name = options.fileName(i + 1);
      await rename(join(parts, f.name), join(options.folder, name));
      names.push(name);
    }
    await rmdir(parts);
    return names;
  } finally {
    con.closeSync();
    db.closeSync();
    await rm(spill, { recursive: true, force: true });
  }
}

/**
 * Row groups for files of at most `maxRows` rows. DuckDB cuts row groups at multiples of its 2,048-row
 * vectors, so a row group is k × 2,048 rows (up to 100,352), k the largest that still fills files to 90% of
 * `maxRows`: files then hold whole row groups and never more than `maxRows` (at least 2,048).
 */
export function parquetRowGroups(maxRows: number): { rowGroup: number; perFile: number } {
  const vectors = Math.floor(maxRows / VECTOR_ROWS);
  if (vectors < 1)
    throw new ExportUsageError(
      `Parquet files hold whole row groups of 2,048 rows: the most rows per file must be at least 2048 for parquet, got ${maxRows}`,
      'maxRowsPerFile',
    );
  for (let k = Math.min(vectors, ROW_GROUP_ROWS / VECTOR_ROWS); k > 1; k--) {
    if (Math.floor(vectors / k) * k >= 0.9 * vectors)
      return { rowGroup: k * VECTOR_ROWS, perFile: Math.floor(vectors / k) };
  }
  return { rowGroup: VECTOR_ROWS, perFile: vectors };
}
