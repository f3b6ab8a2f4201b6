import { RecordBatchFileWriter } from 'apache-arrow';
import { arrowRecordBatch, arrowSchema } from '../arrow-columns.js';
import type { ResultColumn } from '../result-column.js';
import type { UserValue } from '../value-format.js';
import type { HashedFile } from './hashed-file.js';
import type { PartWriter } from './part-writers.js';

/** Rows per record batch. */
const BATCH_ROWS = 2048;

/** A file writer that hands over each message's bytes as they are made, instead of queueing them all. */
class ChunkedFileWriter extends RecordBatchFileWriter {
  #pending: Uint8Array[] = [];

  protected override _write(chunk: unknown): this {
    if (this._started && ArrayBuffer.isView(chunk) && chunk.byteLength > 0) {
      this.#pending.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength).slice());
      this._position += chunk.byteLength;
    }
    return this;
  }

  take(): Uint8Array[] {
    const out = this.#pending;
    this.#pending = [];
    return out;
  }
}

/**
 * An Arrow IPC file (`.arrow`, readable by `tableFromIPC`, pyarrow, DuckDB's arrow extension, Polars),
 * written through apache-arrow: a record batch per 2,048 rows, so memory stays bounded.
 */
export async function arrowPart(file: HashedFile, columns: readonly ResultColumn[]): Promise<PartWriter> {
  const schema = arrowSchema(columns);
  const writer = new ChunkedFileWriter();
  writer.reset(undefined, schema);
  let rows: (readonly UserValue[])[] = [];
  let written = 0;
  const flushTo = async () => {
    for (const bytes of writer.take()) {
      written += bytes.byteLength;
      await file.write(bytes);
    }
  };
  await flushTo();
  const writeBatch = async () => {
    if (rows.length === 0) return;
    writer.write(arrowRecordBatch(schema, columns, rows));
    rows = [];
    await flushTo();
  };
  return {
    encode: () => undefined,
    add: async (row) => {
      rows.push(row);
      if (rows.length >= BATCH_ROWS) await writeBatch();
    },
    get pendingBytes() {
      // Rows waiting for their batch are not counted: an Arrow file may pass the byte limit by one batch.
      return written;
    },
    finish: async () => {
      await writeBatch();
      writer.finish();
      await flushTo();
    },
  };
}
