import { readdir, stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { type Catalog, type CatalogFile, readCatalog } from './catalog.js';
import { JOURNAL_DIR } from './commit-journal.js';
import { sha256File } from './durable-fs.js';
import { TABLE_NAMES } from './schema.js';
import { sqlString } from './table-sql.js';

/** What {@link verifyArchive} found. */
export interface VerifyReport {
  /** No file missing, unreadable, corrupt or unexpected. */
  ok: boolean;
  /** The archive's folder, absolute. */
  root: string;
  /** The version of the catalog checked. */
  catalogVersion: number;
  /** Files the catalog lists. */
  files: number;
  /** Rows the catalog lists in the files found on disk. */
  rows: number;
  /** Catalog files that are not on disk. */
  missing: string[];
  /** Catalog files that exist but cannot be read (permission, I/O error), with the reason. */
  unreadable: { path: string; reason: string }[];
  /** Catalog files whose bytes or row count differ from the catalog. */
  corrupt: { path: string; reason: string }[];
  /** Files in the datasets that the catalog does not list. */
  unexpected: string[];
  /** Commits that a crash interrupted and a writer has not finished yet (not an error). */
  pendingCommits: string[];
}

/** Checks every committed file's size, SHA-256 and row count, and looks for files the catalog does not know. */
export async function verifyArchive(root: string): Promise<VerifyReport> {
  const catalog = await readCatalog(resolve(root));
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  try {
    return await verifyFiles(resolve(root), catalog, con);
  } finally {
    con.closeSync();
    db.closeSync();
  }
}

/**
 * {@link verifyArchive} of `catalog`, on a DuckDB connection the caller owns; with `snapshots`, only the
 * files those snapshots committed (and no search for files the catalog does not know).
 */
export async function verifyFiles(
  root: string,
  catalog: Catalog,
  con: DuckDBConnection,
  snapshots?: ReadonlySet<string>,
): Promise<VerifyReport> {
  const files = snapshots ? catalog.files.filter((f) => snapshots.has(f.snapshotId)) : catalog.files;
  const report: VerifyReport = {
    ok: true,
    root,
    catalogVersion: catalog.version,
    files: files.length,
    rows: 0,
    missing: [],
    unreadable: [],
    corrupt: [],
    unexpected: [],
    pendingCommits: (await listFiles(join(root, JOURNAL_DIR))).map((p) =>
      relative(join(root, JOURNAL_DIR), p).replace(/\.json$/, ''),
    ),
  };
  for (const file of files) await checkFile(report, root, file, con);
  // Retired files stay a while for readers of an earlier catalog: known, not checked (one may be gone).
  const known = new Set([...catalog.files, ...(catalog.retired ?? [])].map((f) => f.path));
  for (const table of snapshots ? [] : TABLE_NAMES) {
    for (const path of await listFiles(join(root, table))) {
      const rel = relative(root, path).split(sep).join('/');
      if (!known.has(rel)) report.unexpected.push(rel);
    }
  }
  report.ok =
    report.missing.length === 0 &&
    report.unreadable.length === 0 &&
    report.corrupt.length === 0 &&
    report.unexpected.length === 0;
  return report;
}

/** Checks one catalog file's size, SHA-256 and Parquet row count; adds what is wrong to `report`. */
async function checkFile(
  report: VerifyReport,
  root: string,
  file: CatalogFile,
  con: DuckDBConnection,
): Promise<void> {
  const path = join(root, file.path);
  let size: number;
  let sha256: string;
  try {
    size = (await stat(path)).size;
    sha256 = size === file.bytes ? await sha256File(path) : '';
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') report.missing.push(file.path);
    else
      report.unreadable.push({
        path: file.path,
        reason: `${code ?? 'error'}: ${(error as Error).message}`,
      });
    return;
  }
  report.rows += file.rows;
  if (size !== file.bytes) {
    report.corrupt.push({ path: file.path, reason: `size ${size} bytes, catalog says ${file.bytes}` });
    return;
  }
  if (sha256 !== file.sha256) {
    report.corrupt.push({ path: file.path, reason: 'SHA-256 differs from the catalog' });
    return;
  }
  const meta = await con.runAndReadAll(`SELECT num_rows FROM parquet_file_metadata(${sqlString(path)})`);
  const rows = Number(meta.getRows()[0]?.[0] ?? -1);
  if (rows !== file.rows)
    report.corrupt.push({ path: file.path, reason: `${rows} rows, catalog says ${file.rows}` });
}

/** Every file under `dir`, recursively, sorted; none when `dir` does not exist. */
async function listFiles(dir: string): Promise<string[]> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    // A dataset without files yet has no folder; any other failure must not pass for "nothing there".
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const out: string[] = [];
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listFiles(path)));
    else out.push(path);
  }
  return out.sort();
}
