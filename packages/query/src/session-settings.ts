import type { DuckDBConnection } from '@duckdb/node-api';

/** `s` as a DuckDB string literal. */
const sqlString = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/** How much of the machine a session may use. Sized by default for a 512 MiB container. */
export interface SessionLimits {
  /**
   * DuckDB's `memory_limit`: what its buffer manager may hold before it spills to `spillDirectory` (the
   * process needs about 100 MB more: Node, DuckDB's code, the chunk being written out).
   * @default '160MB'
   */
  memoryLimit?: string;
  /**
   * DuckDB's worker threads. One keeps a large export within 300 MB (each thread scans Parquet row groups
   * of its own); more make aggregations over a large archive faster.
   * @default 1
   */
  threads?: number;
}

/** The DuckDB settings of a new session, before anything is read (`DuckDBInstance.create` options). */
export function instanceSettings(limits: SessionLimits, spillDirectory: string): Record<string, string> {
  return {
    memory_limit: limits.memoryLimit ?? '160MB',
    threads: String(limits.threads ?? 1),
    // Spill files go to a folder of the session's own: the archive may be read-only for readers.
    temp_directory: spillDirectory,
    // Rows of a query without ORDER BY may come in any order; in exchange a LIMIT streams instead of
    // buffering, and a scan of every observation stays within the memory limit.
    preserve_insertion_order: 'false',
    // The cache of whole Parquet files grows past memory_limit on a large scan.
    enable_external_file_cache: 'false',
    // Never fetch or load code: parquet, json and icu are built in.
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
    allow_community_extensions: 'false',
    allow_unsigned_extensions: 'false',
  };
}

/**
 * Settings that need a built-in extension loaded first, so not taken at creation; set before the views.
 */
export async function extensionSettings(con: DuckDBConnection): Promise<void> {
  // Dates and periods are UTC everywhere (an ICU setting).
  await con.run(`SET TimeZone = 'UTC'`);
  // Each view that reads a table binds its Parquet files again: read their footers once. Committed files
  // never change (a compaction writes new ones), so the cache cannot go stale.
  await con.run('SET parquet_metadata_cache = true');
}

/**
 * Closes the session to everything but the archive, once its views exist: files only under `root` (and
 * the spill folder, which DuckDB allows on its own), no other external access (no other files, no
 * network, no extension install or load), and the configuration locked so that no statement can change
 * any of this back. Each setting is checked afterwards: a DuckDB that ignored one must not go on.
 */
export async function lockDown(con: DuckDBConnection, root: string): Promise<void> {
  const dir = root.endsWith('/') ? root : `${root}/`;
  await con.run(`SET allowed_directories = [${sqlString(dir)}]`);
  await con.run('SET enable_external_access = false');
  await con.run('SET lock_configuration = true');
  const reader = await con.runAndReadAll(
    `SELECT current_setting('enable_external_access') AS external, current_setting('lock_configuration') AS locked,
      current_setting('autoload_known_extensions') AS autoload, current_setting('autoinstall_known_extensions') AS autoinstall`,
  );
  const [external, locked, autoload, autoinstall] = reader.getRows()[0] ?? [];
  if (external !== false || locked !== true || autoload !== false || autoinstall !== false) {
    throw new Error(
      `DuckDB did not take the session's safety settings (external access ${external}, locked ${locked}, autoload ${autoload}, autoinstall ${autoinstall})`,
    );
  }
}
