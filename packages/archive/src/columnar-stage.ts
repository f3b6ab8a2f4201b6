import {
  BOOLEAN,
  DOUBLE,
  type DuckDBConnection,
  DuckDBDataChunk,
  type DuckDBType,
  INTEGER,
  VARCHAR,
} from '@duckdb/node-api';
import type { ColumnDef } from './schema.js';

/** A JS value for one cell: text, a time (Date or epoch ms), a number, a flag, or null. */
export type Cell = string | number | boolean | Date | null | undefined;

const VECTOR_SIZE = 2048;

/**
 * Loads rows into a DuckDB staging table fast. Passing strings to DuckDB costs a native call each, so
 * text that repeats across rows (statuses, commands, instance ids) is dictionary-encoded here and
 * crosses as integer codes, which DuckDB copies a vector at a time; times cross as epoch-ms doubles.
 * {@link ColumnarStage.selectSql} turns the staged codes back into typed columns.
 */
export class ColumnarStage<T> {
  readonly #dicts: (Map<string, number> | undefined)[];
  readonly #types: DuckDBType[];
  #dictFlushed: number[];
  rows = 0;

  constructor(
    private readonly con: DuckDBConnection,
    private readonly name: string,
    private readonly columns: readonly ColumnDef[],
    private readonly getters: readonly ((row: T) => Cell)[],
  ) {
    this.#dicts = columns.map((c) =>
      c.type === 'VARCHAR' && c.repeats ? new Map<string, number>() : undefined,
    );
    this.#dictFlushed = columns.map(() => 0);
    this.#types = columns.map((c, i) => {
      if (this.#dicts[i]) return INTEGER;
      if (c.type === 'VARCHAR') return VARCHAR;
      if (c.type === 'BOOLEAN') return BOOLEAN;
      if (c.type === 'INTEGER') return INTEGER;
      return DOUBLE; // TIMESTAMPTZ as epoch ms, BIGINT counts
    });
  }

  async create(): Promise<void> {
    const cols = this.columns.map((c, i) => `"${c.name}" ${this.#types[i]?.toString()}`).join(', ');
    await this.con.run(`CREATE OR REPLACE TEMP TABLE "${this.name}" (${cols})`);
    for (const [i, dict] of this.#dicts.entries()) {
      if (dict)
        await this.con.run(
          `CREATE OR REPLACE TEMP TABLE "${this.#dictName(i)}" (code INTEGER, value VARCHAR)`,
        );
    }
  }

  async append(rows: readonly T[]): Promise<void> {
    if (rows.length === 0) return;
    const appender = await this.con.createAppender(this.name);
    try {
      for (let offset = 0; offset < rows.length; offset += VECTOR_SIZE) {
        const n = Math.min(VECTOR_SIZE, rows.length - offset);
        const chunk = DuckDBDataChunk.create(this.#types, n);
        for (let c = 0; c < this.columns.length; c++) this.#fill(chunk, c, rows, offset, n);
        appender.appendDataChunk(chunk);
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
    await this.#flushDictionaries();
    this.rows += rows.length;
  }

  #fill(chunk: DuckDBDataChunk, c: number, rows: readonly T[], offset: number, n: number): void {
    const vector = chunk.getColumnVector(c) as unknown as {
      setItem(i: number, v: unknown): void;
      flush(): void;
    };
    const dict = this.#dicts[c];
    const type = (this.columns[c] as ColumnDef).type;
    const get = this.getters[c] as (row: T) => Cell;
    for (let i = 0; i < n; i++) {
      const v = get(rows[offset + i] as T);
      if (v === null || v === undefined) {
        vector.setItem(i, null);
      } else if (dict) {
        const text = v as string;
        let code = dict.get(text);
        if (code === undefined) {
          code = dict.size;
          dict.set(text, code);
        }
        vector.setItem(i, code);
      } else if (type === 'TIMESTAMPTZ') {
        vector.setItem(i, v instanceof Date ? v.getTime() : (v as number));
      } else {
        vector.setItem(i, v);
      }
    }
    vector.flush();
  }

  async #flushDictionaries(): Promise<void> {
    for (const [c, dict] of this.#dicts.entries()) {
      if (!dict || dict.size === this.#dictFlushed[c]) continue;
      const appender = await this.con.createAppender(this.#dictName(c));
      try {
        let code = 0;
        for (const value of dict.keys()) {
          if (code++ < (this.#dictFlushed[c] as number)) continue;
          appender.appendInteger(code - 1);
          appender.appendVarchar(value);
          appender.endRow();
        }
        appender.flushSync();
      } finally {
        appender.closeSync();
      }
      this.#dictFlushed[c] = dict.size;
    }
  }

  #dictName(c: number): string {
    return `${this.name}__dict_${c}`;
  }

  /** A SELECT of the staged rows with every column back in its real type. */
  selectSql(): string {
    const joins: string[] = [];
    const cols = this.columns.map((col, c) => {
      const q = `s."${col.name}"`;
      if (this.#dicts[c]) {
        joins.push(`LEFT JOIN "${this.#dictName(c)}" d${c} ON d${c}.code = ${q}`);
        return `d${c}.value AS "${col.name}"`;
      }
      if (col.type === 'TIMESTAMPTZ')
        return `CAST(epoch_ms(CAST(${q} AS BIGINT)) AS TIMESTAMPTZ) AS "${col.name}"`;
      if (col.type === 'BIGINT') return `CAST(${q} AS BIGINT) AS "${col.name}"`;
      return `${q} AS "${col.name}"`;
    });
    return `SELECT ${cols.join(', ')} FROM "${this.name}" s ${joins.join(' ')}`;
  }

  async drop(): Promise<void> {
    await this.con.run(`DROP TABLE IF EXISTS "${this.name}"`);
    for (const [c, dict] of this.#dicts.entries())
      if (dict) await this.con.run(`DROP TABLE IF EXISTS "${this.#dictName(c)}"`);
  }
}
