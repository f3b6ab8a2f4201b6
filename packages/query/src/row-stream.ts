import type { DuckDBDataChunk, DuckDBResult } from '@duckdb/node-api';
import { kindOf, type ResultColumn } from './result-column.js';
import { queryErrorOf } from './statement-check.js';
import { formatterFor, type UserValue, type ValueFormatter } from './value-format.js';

/**
 * Up to 2,048 rows, each an array of {@link UserValue}s in column order, made as they are iterated. Read
 * them before asking the result for the next chunk: the chunk's memory is then given back to DuckDB.
 */
export interface RowChunk extends Iterable<UserValue[]> {
  /** How many rows the chunk holds. */
  readonly length: number;
}

/**
 * The rows of a query as they come from DuckDB, one chunk at a time. Read it once, with `for await`; only
 * the chunk being read is held, so a result of any size is read in bounded memory. Stopping early
 * (`break`) abandons the rest.
 */
export interface QueryResult extends AsyncIterable<RowChunk> {
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

  async *[Symbol.asyncIterator](): AsyncGenerator<RowChunk> {
    if (this.#read) throw new Error('a query result can be read only once');
    this.#read = true;
    for (;;) {
      let chunk: DuckDBDataChunk | null;
      try {
        chunk = await this.result.fetchChunk();
      } catch (error) {
        throw queryErrorOf(error, this.sql, this.root);
      }
      if (!chunk || chunk.rowCount === 0) return;
      yield rowsOf(chunk, this.#formatters);
      // The reader is done with this chunk: free its memory now. Left to the garbage collector, which does
      // not see DuckDB's memory, a fast reader would hold hundreds of chunks (megabytes each) for a while.
      chunk.reset();
    }
  }
}

/**
 * The rows of `chunk`, each made only when the iteration reaches it: its values are garbage as soon as
 * they are written out, so they never outlive V8's young generation (a whole chunk of values made at once
 * would, and would pile up in the old generation until a full collection).
 */
function rowsOf(chunk: DuckDBDataChunk, formatters: readonly ValueFormatter[]): RowChunk {
  const vectors = formatters.map((_, c) => chunk.getColumnVector(c));
  const length = chunk.rowCount;
  return {
    length,
    *[Symbol.iterator]() {
      for (let r = 0; r < length; r++) {
        const row: UserValue[] = new Array(formatters.length);
        for (let c = 0; c < formatters.length; c++) {
          const vector = vectors[c] as (typeof vectors)[number];
          row[c] = (formatters[c] as ValueFormatter)(vector.getItem(r));
          forgetItem(vector, r);
        }
        yield row;
      }
    },
  };
}

/**
 * Drops node-api's copy of a value once it is read. Its text, blob and list vectors keep every value they
 * have handed out (a private `itemCache`) for as long as the chunk lives, so a chunk's strings (megabytes
 * when commands print much) outlive V8's young generation and pile up in the old one: measured on ten
 * million observations, that was 50-90 MB of the peak. Where a vector has no such cache (another type, or
 * another node-api version), this does nothing.
 */
function forgetItem(vector: object, row: number): void {
  const cache = (vector as { itemCache?: unknown }).itemCache;
  if (Array.isArray(cache)) cache[row] = undefined;
}
