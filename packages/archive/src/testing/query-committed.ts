import { DuckDBInstance } from '@duckdb/node-api';
import type { Catalog } from '../catalog.js';
import { registerTables } from '../table-sql.js';

/**
 * Runs `sql` as a reader would: in a DuckDB of its own (UTC), with one view per table over the files the
 * catalog commits. Rows as plain JS (times as `Date`).
 */
export async function queryCommitted(
  archive: { root: string; catalog: Catalog },
  sql: string,
): Promise<Record<string, unknown>[]> {
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  try {
    await con.run(`SET TimeZone = 'UTC'`);
    await registerTables(con, archive.root, archive.catalog);
    return (await con.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
  } finally {
    con.closeSync();
    db.closeSync();
  }
}
