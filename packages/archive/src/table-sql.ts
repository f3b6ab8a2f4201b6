import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Catalog } from './catalog.js';
import { columnsAt, TABLES, type TableName } from './schema.js';

/** `s` as a DuckDB string literal. */
export const sqlString = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/**
 * A SELECT over a table's committed files with its current schema: columns added after a file was
 * written read as NULL there (and when no file has them yet); a table without files is empty. The columns
 * of each file come from its schema version in the catalog, so no file is opened to build the SELECT (a
 * session over thousands of files opens at once).
 */
export async function tableSelectSql(
  _con: DuckDBConnection,
  root: string,
  catalog: Catalog,
  table: TableName,
): Promise<string> {
  const def = TABLES[table];
  const byVersion = new Map<number, string[]>();
  for (const f of catalog.files) {
    if (f.table !== table) continue;
    const paths = byVersion.get(f.schemaVersion) ?? [];
    paths.push(join(root, f.path));
    byVersion.set(f.schemaVersion, paths);
  }
  if (byVersion.size === 0) {
    return `SELECT ${def.columns.map((c) => `CAST(NULL AS ${c.type}) AS "${c.name}"`).join(', ')} WHERE false`;
  }
  const parts = [...byVersion.entries()].map(([version, paths]) => {
    const present = new Set(columnsAt(def, version).map((c) => c.name));
    const cols = def.columns.map((c) =>
      present.has(c.name) ? `"${c.name}"` : `CAST(NULL AS ${c.type}) AS "${c.name}"`,
    );
    return `SELECT ${cols.join(', ')} FROM read_parquet([${paths.map(sqlString).join(', ')}], hive_partitioning = false)`;
  });
  return parts.length === 1 ? (parts[0] as string) : parts.map((p) => `(${p})`).join(' UNION ALL ');
}

/**
 * Creates (or replaces) one temp view per table, named `<prefix><table>`, over the files `catalog` commits
 * (with the current schema, see {@link tableSelectSql}).
 */
export async function registerTables(
  con: DuckDBConnection,
  root: string,
  catalog: Catalog,
  prefix = '',
): Promise<void> {
  for (const table of Object.keys(TABLES) as TableName[]) {
    await con.run(
      `CREATE OR REPLACE TEMP VIEW "${prefix}${table}" AS ${await tableSelectSql(con, root, catalog, table)}`,
    );
  }
}
