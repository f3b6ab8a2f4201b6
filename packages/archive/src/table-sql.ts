import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Catalog } from './catalog.js';
import { TABLES, type TableName } from './schema.js';

/** `s` as a DuckDB string literal. */
export const sqlString = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/**
 * A SELECT over a table's committed files with its current schema: columns added after a file was
 * written read as NULL there (and when no file has them yet); a table without files is empty.
 */
export async function tableSelectSql(
  con: DuckDBConnection,
  root: string,
  catalog: Catalog,
  table: TableName,
): Promise<string> {
  const def = TABLES[table];
  const files = catalog.files.filter((f) => f.table === table).map((f) => join(root, f.path));
  if (files.length === 0) {
    return `SELECT ${def.columns.map((c) => `CAST(NULL AS ${c.type}) AS "${c.name}"`).join(', ')} WHERE false`;
  }
  const source = `read_parquet([${files.map(sqlString).join(', ')}], union_by_name = true, hive_partitioning = false)`;
  const described = await con.runAndReadAll(`DESCRIBE SELECT * FROM ${source}`);
  const present = new Set(described.getRows().map((r) => String(r[0])));
  const cols = def.columns.map((c) =>
    present.has(c.name) ? `"${c.name}"` : `CAST(NULL AS ${c.type}) AS "${c.name}"`,
  );
  return `SELECT ${cols.join(', ')} FROM ${source}`;
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
