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
const NULL_INT = -2147483648;

/** How one column crosses into DuckDB. */
type Lane =
  | { kind: 'dict'; dict: Map<string, number>; base: number } // text: integer codes, -1 for NULL
  | { kind: 'text' } // plain text (ids, output): the string, plus a NULL flag in the next staged column
  | { kind: 'double' } // times (epoch ms) and counts: NaN for NULL
  | { kind: 'int' } // INTEGER: NULL_INT for NULL
  | { kind: 'bool' }; // BOOLEAN: NULL flag in the next staged column

/**
 * Loads rows into a DuckDB staging table fast. Every string costs a native call, so text that repeats
 * across rows (statuses, commands, instance ids) is dictionary-encoded here, one batch at a time, and
 * crosses as integer codes, which DuckDB copies a vector at a time; text that rarely repeats (ids, output)
 * crosses as it is. NULLs cross as sentinels (code -1, NaN)
 * or a flag column, never through the per-row validity mask, which is slow. {@link ColumnarStage.selectSql}
 * restores real types.
 */
export class ColumnarStage<T> {
  readonly #lanes: Lane[];
  readonly #types: DuckDBType[] = [];
  #reusable?: DuckDBDataChunk;
  #rows = 0;

  /**
   * A stage in the temp table `name` (see {@link ColumnarStage.create}); `getters[i]` reads column
   * `columns[i]` off a row.
   */
  constructor(
    private readonly con: DuckDBConnection,
    private readonly name: string,
    private readonly columns: readonly ColumnDef[],
    private readonly getters: readonly ((row: T) => Cell)[],
  ) {
    this.#lanes = columns.map((c): Lane => {
      if (c.type === 'VARCHAR')
        return c.plain ? { kind: 'text' } : { kind: 'dict', dict: new Map(), base: 0 };
      if (c.type === 'INTEGER') return { kind: 'int' };
      if (c.type === 'BOOLEAN') return { kind: 'bool' };
      return { kind: 'double' };
    });
    for (const lane of this.#lanes) {
      if (lane.kind === 'dict' || lane.kind === 'int') this.#types.push(INTEGER);
      else if (lane.kind === 'double') this.#types.push(DOUBLE);
      else this.#types.push(lane.kind === 'text' ? VARCHAR : BOOLEAN, BOOLEAN);
    }
  }

  /** The staging table's name. */
  get table(): string {
    return this.name;
  }

  /** Rows appended so far. */
  get rows(): number {
    return this.#rows;
  }

  /** Creates (or replaces) the staging table and its dictionaries, empty. */
  async create(): Promise<void> {
    const cols: string[] = [];
    this.columns.forEach((c, i) => {
      const lane = this.#lanes[i] as Lane;
      if (lane.kind === 'dict' || lane.kind === 'int') cols.push(`"${c.name}" INTEGER`);
      else if (lane.kind === 'double') cols.push(`"${c.name}" DOUBLE`);
      else
        cols.push(`"${c.name}" ${lane.kind === 'text' ? 'VARCHAR' : 'BOOLEAN'}`, `"${c.name}__null" BOOLEAN`);
    });
    await this.con.run(`CREATE OR REPLACE TEMP TABLE "${this.name}" (${cols.join(', ')})`);
    for (const [i, lane] of this.#lanes.entries()) {
      if (lane.kind === 'dict')
        await this.con.run(
          `CREATE OR REPLACE TEMP TABLE "${this.#dictName(i)}" (code INTEGER, value VARCHAR)`,
        );
    }
  }

  /** Appends `rows`, a vector of 2048 at a time. */
  async append(rows: readonly T[]): Promise<void> {
    if (rows.length === 0) return;
    const appender = await this.con.createAppender(this.name);
    try {
      for (let offset = 0; offset < rows.length; offset += VECTOR_SIZE) {
        const n = Math.min(VECTOR_SIZE, rows.length - offset);
        const chunk = this.#chunk(n);
        let vectorIndex = 0;
        for (let c = 0; c < this.columns.length; c++)
          vectorIndex = this.#fill(chunk, vectorIndex, c, rows, offset, n);
        appender.appendDataChunk(chunk);
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
    await this.#flushDictionaries();
    this.#rows += rows.length;
  }

  /**
   * Fills the staged vector(s) of column `c`; returns the index of the next vector. One loop per lane kind,
   * inline: it is the ingest hot loop (longer than 60 lines for that; measure with the archive-ingest bench).
   */
  #fill(
    chunk: DuckDBDataChunk,
    vectorIndex: number,
    c: number,
    rows: readonly T[],
    offset: number,
    n: number,
  ): number {
    const vector = this.#vector(chunk, vectorIndex);
    const lane = this.#lanes[c] as Lane;
    const get = this.getters[c] as (row: T) => Cell;
    if (lane.kind === 'dict') {
      const dict = lane.dict;
      // Rows arrive grouped (one run, region, instance after another): most values repeat the last one.
      let last: Cell = null;
      let lastCode = -1;
      for (let i = 0; i < n; i++) {
        const v = get(rows[offset + i] as T);
        if (v !== last) {
          last = v;
          if (v === null || v === undefined) {
            lastCode = -1;
          } else {
            let code = dict.get(v as string);
            if (code === undefined) {
              code = lane.base + dict.size;
              dict.set(v as string, code);
            }
            lastCode = code;
          }
        }
        vector.setItem(i, lastCode);
      }
    } else if (lane.kind === 'double') {
      for (let i = 0; i < n; i++) {
        const v = get(rows[offset + i] as T);
        vector.setItem(
          i,
          v === null || v === undefined ? Number.NaN : v instanceof Date ? v.getTime() : (v as number),
        );
      }
    } else if (lane.kind === 'int') {
      for (let i = 0; i < n; i++) {
        const v = get(rows[offset + i] as T);
        vector.setItem(i, v === null || v === undefined ? NULL_INT : (v as number));
      }
    } else {
      const flags = this.#vector(chunk, vectorIndex + 1);
      const empty = lane.kind === 'text' ? '' : false;
      for (let i = 0; i < n; i++) {
        const v = get(rows[offset + i] as T);
        const isNull = v === null || v === undefined;
        vector.setItem(i, isNull ? empty : v);
        flags.setItem(i, isNull);
      }
      flags.flush();
      vector.flush();
      return vectorIndex + 2;
    }
    vector.flush();
    return vectorIndex + 1;
  }

  /**
   * The stage's one data chunk, emptied and sized for `n` rows. Reused: a chunk's memory is native and
   * freed only when V8 collects its wrapper, which it does not hurry to do, so a chunk per vector of rows
   * would hold hundreds of megabytes outside the JS heap during a large snapshot.
   */
  #chunk(n: number): DuckDBDataChunk {
    this.#reusable ??= DuckDBDataChunk.create(this.#types, VECTOR_SIZE);
    this.#reusable.reset();
    this.#reusable.rowCount = n;
    return this.#reusable;
  }

  #vector(chunk: DuckDBDataChunk, index: number): { setItem(i: number, v: unknown): void; flush(): void } {
    return chunk.getColumnVector(index) as unknown as { setItem(i: number, v: unknown): void; flush(): void };
  }

  /**
   * Moves this batch's dictionary entries into DuckDB and forgets them in JS, so that JS memory holds one
   * batch's distinct values, not a whole snapshot's; a value seen again later gets a new code.
   */
  async #flushDictionaries(): Promise<void> {
    for (const [c, lane] of this.#lanes.entries()) {
      if (lane.kind !== 'dict' || lane.dict.size === 0) continue;
      const appender = await this.con.createAppender(this.#dictName(c));
      try {
        for (const [value, code] of lane.dict) {
          appender.appendInteger(code);
          appender.appendVarchar(value);
          appender.endRow();
        }
        appender.flushSync();
      } finally {
        appender.closeSync();
      }
      lane.base += lane.dict.size;
      lane.dict.clear();
    }
  }

  #dictName(c: number): string {
    return `${this.name}__dict_${c}`;
  }

  /**
   * A SELECT of the staged rows with every column back in its real type and NULLs restored, plus `seq`
   * (the staged row's id) when asked.
   */
  selectSql(options: { seq?: boolean } = {}): string {
    // Each dictionary becomes one list indexed by code (list[0], code -1, is NULL): cheaper than joins.
    const lists: string[] = [];
    const cols = this.columns.map((col, c) => {
      const q = `s."${col.name}"`;
      const lane = this.#lanes[c] as Lane;
      switch (lane.kind) {
        case 'dict':
          lists.push(`(SELECT coalesce(list(value ORDER BY code), []) FROM "${this.#dictName(c)}") AS l${c}`);
          return `l${c}[${q} + 1] AS "${col.name}"`;
        case 'double': {
          const value =
            col.type === 'TIMESTAMPTZ'
              ? `CAST(epoch_ms(CAST(${q} AS BIGINT)) AS TIMESTAMPTZ)`
              : `CAST(${q} AS BIGINT)`;
          return `CASE WHEN isnan(${q}) THEN NULL ELSE ${value} END AS "${col.name}"`;
        }
        case 'int':
          return `nullif(${q}, ${NULL_INT}) AS "${col.name}"`;
        default:
          return `CASE WHEN s."${col.name}__null" THEN NULL ELSE ${q} END AS "${col.name}"`;
      }
    });
    const from =
      lists.length > 0 ? `(SELECT ${lists.join(', ')}) dicts, "${this.name}" s` : `"${this.name}" s`;
    if (options.seq) cols.unshift('s.rowid AS seq');
    return `SELECT ${cols.join(', ')} FROM ${from}`;
  }

  /** Drops the staging table and its dictionaries. */
  async drop(): Promise<void> {
    await this.con.run(`DROP TABLE IF EXISTS "${this.name}"`);
    for (const [c, lane] of this.#lanes.entries()) {
      if (lane.kind === 'dict') await this.con.run(`DROP TABLE IF EXISTS "${this.#dictName(c)}"`);
    }
  }
}
