import { arrowRecordBatch, arrowSchema, type ResultColumn, type RowChunk } from '@swas-archive/query';
import { RecordBatchStreamWriter } from 'apache-arrow';
import type { OutputStream } from './output-stream.js';

/**
 * A stream writer that hands over the bytes of each message as soon as they are made, instead of queueing
 * them in its own unbounded sink: so a batch is written out (with backpressure) before the next is built.
 */
class ChunkedStreamWriter extends RecordBatchStreamWriter {
  #pending: Uint8Array[] = [];

  protected override _write(chunk: unknown): this {
    if (this._started && ArrayBuffer.isView(chunk) && chunk.byteLength > 0) {
      this.#pending.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      this._position += chunk.byteLength;
    }
    return this;
  }

  /** The bytes made since the last call. */
  take(): Uint8Array {
    const bytes = Buffer.concat(this.#pending);
    this.#pending = [];
    return bytes;
  }
}

/** An Arrow IPC stream: the schema, one record batch per chunk of rows, the end-of-stream marker. */
export async function writeArrow(
  out: OutputStream,
  columns: readonly ResultColumn[],
  chunks: AsyncIterable<RowChunk>,
): Promise<number> {
  const schema = arrowSchema(columns);
  const writer = new ChunkedStreamWriter();
  // The schema goes out first, so that an empty result is still a readable stream with its columns.
  writer.reset(undefined, schema);
  await out.write(writer.take());
  let rows = 0;
  for await (const chunk of chunks) {
    if (chunk.length === 0) continue;
    rows += chunk.length;
    writer.write(arrowRecordBatch(schema, columns, chunk));
    await out.write(writer.take());
  }
  writer.finish();
  await out.write(writer.take());
  return rows;
}
