import type { DuckDBConnection } from '@duckdb/node-api';
import type { Catalog, CatalogFile } from './catalog.js';
import { commitJournal, type JournalFile, newSnapshotId } from './commit-journal.js';
import { crashPoint } from './crash-point.js';
import { commitFailure } from './disk-error.js';
import { ArchiveCorruptError } from './errors.js';
import { ParquetFileWriter } from './parquet-file-writer.js';
import { SCHEMA_VERSION, TABLES, type TableName } from './schema.js';
import { tableSelectSql } from './table-sql.js';

/** Options of `Archive.compact`. */
export interface CompactionOptions {
  /** The tables to compact. @default every table */
  tables?: readonly TableName[];
  /** A partition is rewritten when it has at least this many files. @default 2 */
  minFiles?: number;
}

/** What a compaction did. */
export interface CompactionResult {
  /** The compaction's snapshot; unset when no partition needed compacting (nothing was committed). */
  snapshotId?: string;
  /** Partitions rewritten, each into one file. */
  partitions: number;
  /** Files replaced (retired: left in place a while for readers of the previous catalog, see `Catalog.retired`). */
  filesBefore: number;
  /** Files written in their place. */
  filesAfter: number;
  /** Rows rewritten: exactly the rows of the files replaced. */
  rows: number;
}

/** What a compaction needs of its archive. */
export interface CompactionContext {
  root: string;
  con: DuckDBConnection;
  catalog: Catalog;
  schemaVersion: number;
  rowGroupSize: number;
  /** Most bytes of rows one write sorts at once. */
  budgetBytes: number;
}

/**
 * Rewrites each partition that has at least `minFiles` files into one sorted file, all in one commit
 * (snapshot kind `compaction`). A partition whose rewrite does not hold exactly the rows the catalog
 * lists throws {@link ArchiveCorruptError} before anything is committed. Returns the catalog after it.
 */
export async function compactPartitions(
  ctx: CompactionContext,
  options: CompactionOptions = {},
): Promise<{ catalog: Catalog; result: CompactionResult }> {
  const snapshotId = newSnapshotId();
  try {
    return await compactAs(snapshotId, ctx, options);
  } catch (error) {
    throw await commitFailure(error, ctx.root, snapshotId);
  }
}

/** {@link compactPartitions} as the snapshot `snapshotId`. */
async function compactAs(
  snapshotId: string,
  ctx: CompactionContext,
  options: CompactionOptions,
): Promise<{ catalog: Catalog; result: CompactionResult }> {
  const writer = new ParquetFileWriter(ctx.con, {
    root: ctx.root,
    snapshotId,
    // Compaction writes every column the table has now, whatever version this writer writes: its files
    // are of the current version.
    schemaVersion: SCHEMA_VERSION,
    rowGroupSize: ctx.rowGroupSize,
    budgetBytes: ctx.budgetBytes,
  });
  const files: JournalFile[] = [];
  const remove: string[] = [];
  for (const group of partitionsToCompact(ctx.catalog, options)) {
    const def = TABLES[(group[0] as CatalogFile).table];
    const select = await tableSelectSql(ctx.con, ctx.root, { ...ctx.catalog, files: group }, def.name);
    // Every column the table has now, as the files hold them, whatever version this writer writes.
    const written = await writer.write(def, select, def.columns);
    const rows = written.reduce((s, f) => s + f.rows, 0);
    const expected = group.reduce((s, f) => s + f.rows, 0);
    if (rows !== expected) {
      throw new ArchiveCorruptError(
        `compaction of ${def.name}/date=${group[0]?.partition.date ?? ''} wrote ${rows} rows, expected ${expected}: nothing was changed`,
        ctx.root,
      );
    }
    files.push(...written);
    remove.push(...group.map((f) => f.path));
  }
  const rows = files.reduce((s, f) => s + f.rows, 0);
  if (files.length === 0) {
    return { catalog: ctx.catalog, result: { partitions: 0, filesBefore: 0, filesAfter: 0, rows: 0 } };
  }
  crashPoint('staged', 'compaction');
  const catalog = await commitJournal(ctx.root, {
    snapshot: {
      id: snapshotId,
      kind: 'compaction',
      committedAt: new Date().toISOString(),
      rows: {},
      filesAdded: files.length,
      filesRemoved: remove.length,
    },
    files,
    remove,
    cursors: {},
  });
  const result = {
    snapshotId,
    partitions: files.length,
    filesBefore: remove.length,
    filesAfter: files.length,
    rows,
  };
  return { catalog, result };
}

/** The committed files of each partition that has at least `minFiles` of them, by table and date. */
function partitionsToCompact(catalog: Catalog, options: CompactionOptions): CatalogFile[][] {
  const minFiles = options.minFiles ?? 2;
  const groups = new Map<string, CatalogFile[]>();
  for (const f of catalog.files) {
    if (options.tables && !options.tables.includes(f.table)) continue;
    const key = `${f.table}\n${f.partition.date ?? ''}`;
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  return [...groups.values()].filter((group) => group.length >= minFiles);
}
