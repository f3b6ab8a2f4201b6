import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from './durable-fs.js';
import { ArchiveCorruptError } from './errors.js';
import { SCHEMA_VERSION, TABLE_NAMES, type TableName } from './schema.js';

/** One committed data file. */
export interface CatalogFile {
  table: TableName;
  /** Relative to the archive root, with `/` separators. */
  path: string;
  /** The partition, e.g. `{ date: '2026-11-01' }`. */
  partition: Record<string, string>;
  /** Rows in the file (its Parquet metadata says the same). */
  rows: number;
  /** Size of the file in bytes. */
  bytes: number;
  /** Hex SHA-256 of the file's bytes. */
  sha256: string;
  /** The snapshot that wrote it. */
  snapshotId: string;
  /** Schema version of its writer. */
  schemaVersion: number;
}

/**
 * One committed snapshot: what one atomic commit made visible. `ingest`: a snapshot of a run (a run commits
 * one or more); `compaction`: partitions rewritten into fewer files.
 */
export interface CatalogSnapshot {
  id: string;
  kind: 'ingest' | 'compaction' | 'upgrade';
  /** The run that committed it (`ingest` only). */
  runId?: string;
  /** ISO 8601 time of the commit. */
  committedAt: string;
  /** The redaction policy its observations were written with (`ingest` only). */
  redactionPolicyId?: string;
  /** Rows written per table (none for a compaction, which only rewrites). */
  rows: Partial<Record<TableName, number>>;
  /** Observations offered but not written: they repeated their invocation's last state (`ingest` only). */
  skippedRows?: number;
  /** Files the snapshot added to the catalog. */
  filesAdded: number;
  /** Files it retired from the catalog (compaction). */
  filesRemoved: number;
}

/** The catalog: the archive's one source of truth of which files are committed. */
export interface Catalog {
  format: 'swas-archive/1';
  /** The highest schema version of any file, at least the one current when the catalog was created. */
  schemaVersion: number;
  /** Increments with every commit. */
  version: number;
  files: CatalogFile[];
  /** Every committed snapshot, oldest first. */
  snapshots: CatalogSnapshot[];
  /** Per-instance crawl cursors (the crawler's, opaque here), advanced only with the data they cover. */
  cursors: Record<string, unknown>;
  /**
   * What this archive maintains beyond the datasets every version has: `latest-state` once the
   * `invocations_latest` dataset holds every invocation (readers fall back to the history without it).
   */
  features?: string[];
  /**
   * Files that commits took out of `files` (a rewritten latest-state or daily-count partition, a compaction),
   * left in place for readers that loaded an earlier catalog and may still open them; a later commit deletes
   * each once it was retired {@link RETIRED_KEEP_MS} ago. Never part of the archive's state.
   */
  retired?: RetiredFile[];
}

/** A file no longer committed, kept on disk for a while for readers of an earlier catalog. */
export interface RetiredFile {
  /** Relative to the archive root, as it was in `files`. */
  path: string;
  /** ISO 8601 time of the commit that retired it. */
  retiredAt: string;
  /** The snapshot that retired it. */
  snapshotId: string;
}

/**
 * How long a retired file stays on disk after the commit that retired it: a reader that loaded an earlier
 * catalog reads it meanwhile. A reader holding one catalog for longer may find its files gone.
 */
export const RETIRED_KEEP_MS = 15 * 60_000;

/** The catalog's file name under the archive root. */
export const CATALOG_FILE = 'catalog.json';

/** The catalog of an archive with nothing committed. */
export function emptyCatalog(): Catalog {
  return {
    format: 'swas-archive/1',
    schemaVersion: SCHEMA_VERSION,
    version: 0,
    files: [],
    snapshots: [],
    cursors: {},
  };
}

/**
 * Reads the catalog of the archive at `root`; a folder without one is an empty archive, unless its datasets
 * hold files: then the catalog was lost, and an empty one would hide them ({@link ArchiveCorruptError}).
 */
export async function readCatalog(root: string): Promise<Catalog> {
  let text: string;
  try {
    text = await readFile(join(root, CATALOG_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    const orphans = await datasetsWithFiles(root);
    if (orphans.length === 0) return emptyCatalog();
    throw new ArchiveCorruptError(
      `the catalog ${join(root, CATALOG_FILE)} is missing, but ${orphans.join(', ')} hold data files: it cannot be rebuilt from them (it alone says which files are committed, and holds the crawl cursors), so nothing was changed; restore catalog.json from a backup`,
      root,
    );
  }
  let catalog: Catalog;
  try {
    catalog = JSON.parse(text) as Catalog;
  } catch (error) {
    throw new ArchiveCorruptError(
      `the catalog ${join(root, CATALOG_FILE)} is damaged (not valid JSON): it cannot be rebuilt from the data files, so it was left as it is and nothing was changed; restore it from a backup`,
      root,
      { cause: error },
    );
  }
  if (catalog.format !== 'swas-archive/1') {
    throw new ArchiveCorruptError(
      `${join(root, CATALOG_FILE)} is not a swas-archive catalog (format ${String(catalog.format)})`,
      root,
    );
  }
  return catalog;
}

/**
 * The datasets of `root` that hold anything. A first commit interrupted after its commit point may have
 * moved files in before any catalog exists: its journal, still pending, accounts for them.
 */
async function datasetsWithFiles(root: string): Promise<string[]> {
  if ((await entries(join(root, '_journal'))).length > 0) return [];
  const found: string[] = [];
  for (const table of TABLE_NAMES) if ((await entries(join(root, table))).length > 0) found.push(table);
  return found;
}

/** The names in `dir`; none when it does not exist. */
async function entries(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** Replaces the catalog of the archive at `root` atomically (see `writeFileAtomic`). */
export function writeCatalog(root: string, catalog: Catalog): Promise<void> {
  return writeFileAtomic(join(root, CATALOG_FILE), `${JSON.stringify(catalog)}\n`);
}
