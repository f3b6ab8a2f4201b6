import { resolve } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { readCatalog, registerTables } from '@swas-archive/archive';
import { QueryError } from './errors.js';
import { VIEWS } from './views.js';

/** A row as plain JS: BIGINT as number (or string past 2^53), times as ISO strings, NULL as null. */
export type Row = Record<string, unknown>;

/** A DuckDB session over an archive, with the raw tables and the documented views. */
export class QuerySession {
  private constructor(
    readonly root: string,
    private readonly db: DuckDBInstance,
    readonly connection: DuckDBConnection,
  ) {}

  /** Opens a read-only session over the archive at `root` as of its current catalog. Takes no lock. */
  static async open(root: string): Promise<QuerySession> {
    const abs = resolve(root);
    const catalog = await readCatalog(abs);
    const db = await DuckDBInstance.create(':memory:');
    const con = await db.connect();
    await con.run(`SET TimeZone = 'UTC'`);
    await registerTables(con, abs, catalog);
    for (const view of VIEWS) await con.run(`CREATE OR REPLACE TEMP VIEW "${view.name}" AS ${view.sql}`);
    return new QuerySession(abs, db, con);
  }

  /** Runs `sql` and returns its column names and rows; SQL that cannot run throws a {@link QueryError}. */
  async run(sql: string): Promise<{ columns: string[]; rows: Row[] }> {
    let reader: Awaited<ReturnType<DuckDBConnection['runAndReadAll']>>;
    try {
      reader = await this.connection.runAndReadAll(sql);
    } catch (error) {
      const first = error instanceof Error ? error.message.split('\n')[0] : String(error);
      throw new QueryError(`the query failed: ${first}`, sql, { cause: error });
    }
    const columns = reader.columnNames();
    const rows = reader.getRowObjectsJS().map((r) => {
      const out: Row = {};
      for (const c of columns) out[c] = plain((r as Row)[c]);
      return out;
    });
    return { columns, rows };
  }

  close(): void {
    this.connection.closeSync();
    this.db.closeSync();
  }
}

function plain(value: unknown): unknown {
  if (typeof value === 'bigint')
    return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  return value;
}
