import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from './durable-fs.js';
import { ArchiveCorruptError } from './errors.js';
import { SCHEMA_VERSION, type TableName } from './schema.js';

/** One committed data file. */
export interface CatalogFile {
  table: TableName;
  /** Relative to the archive root, with `/` separators. */
  path: string;
  /** The partition, e.g. `{ date: '2026-11-01' }`. */
  partition: Record<string, string>;
  rows: number;
  bytes: number;
  sha256: string;
  snapshotId: string;
  schemaVersion: number;
}

/** One committed snapshot: what a run (or a compaction) made visible in one step. */
export interface CatalogSnapshot {
  id: string;
  kind: 'ingest' | 'compaction';
  runId?: string;
  committedAt: string;
  redactionPolicyId?: string;
  rows: Partial<Record<TableName, number>>;
  /** Observations offered but not written because the archive already held them. */
  skippedRows?: number;
  filesAdded: number;
  filesRemoved: number;
}

/** The catalog: the archive's one source of truth of which files are committed. */
export interface Catalog {
  format: 'swas-archive/1';
  /** Highest schema version of any file. */
  schemaVersion: number;
  /** Increments with every commit. */
  version: number;
  files: CatalogFile[];
  snapshots: CatalogSnapshot[];
  /** Per-instance crawl cursors (the crawler's, opaque here), advanced only with the data they cover. */
  cursors: Record<string, unknown>;
}

export const CATALOG_FILE = 'catalog.json';

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

/** Reads the catalog of the archive at `root`; a folder without one is an empty archive. */
export async function readCatalog(root: string): Promise<Catalog> {
  let text: string;
  try {
    text = await readFile(join(root, CATALOG_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptyCatalog();
    throw error;
  }
  let catalog: Catalog;
  try {
    catalog = JSON.parse(text) as Catalog;
  } catch (error) {
    throw new ArchiveCorruptError(
      `the catalog ${join(root, CATALOG_FILE)} is not valid JSON: restore it from a backup`,
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

export function writeCatalog(root: string, catalog: Catalog): Promise<void> {
  return writeFileAtomic(join(root, CATALOG_FILE), `${JSON.stringify(catalog)}\n`);
}
