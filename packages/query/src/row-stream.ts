import type { DuckDBResult } from '@duckdb/node-api';
import { kindOf, type ResultColumn } from './result-column.js';
import { queryErrorOf } from './statement-check.js';
import { formatterFor, type UserValue, type ValueFormatter } from './value-format.js';

/**
 * The rows of a query as they come from DuckDB, one chunk (up to 2,048 rows) at a time, each row an array
 * of {@link UserValue}s in column order. Read it once, with `for await`; only the chunk being read is held,
 * so a result of any size is read in bounded memory. Stopping early (`break`) abandons the rest.
 */
export interface QueryResult extends AsyncIterable<UserValue[][]> {
  readonly columns: readonly ResultColumn[];
}

/** A streaming DuckDB result as a {@link QueryResult}. */
export class RowStream implements QueryResult {
  readonly columns: readonly ResultColumn[];
  readonly #formatters: ValueFormatter[];
  #read = false;

  constructor(
    private readonly result: DuckDBResult,
    private readonly sql: string,
    private readonly root: string,
  ) {
    const names = result.deduplicatedColumnNames();
    const types = result.columnTypes();
    this.columns = types.map((type, i) => ({
      name: names[i] ?? `column${i}`,
      sqlType: type.toString(),
      kind: kindOf(type),
    }));
    this.#formatters = types.map(formatterFor);
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<UserValue[][]> {
    if (this.#read) throw new Error('a query result can be read only once');
    this.#read = true;
    const formatters = this.#formatters;
    for (;;) {
      let chunk: Awaited<ReturnType<DuckDBResult['fetchChunk']>>;
      try {
        chunk = await this.result.fetchChunk();
      } catch (error) {
        throw queryErrorOf(error, this.sql, this.root);
      }
      if (!chunk || chunk.rowCount === 0) return;
      const vectors = formatters.map((_, c) => chunk.getColumnVector(c));
      const rows: UserValue[][] = new Array(chunk.rowCount);
      for (let r = 0; r < chunk.rowCount; r++) {
        const row: UserValue[] = new Array(formatters.length);
        for (let c = 0; c < formatters.length; c++)
          row[c] = (formatters[c] as ValueFormatter)((vectors[c] as (typeof vectors)[number]).getItem(r));
        rows[r] = row;
      }
      yield rows;
    }
  }
}
