import {
  type ColumnKind,
  cellText,
  type ResultColumn,
  type RowChunk,
  type UserValue,
} from '@swas-archive/query';
import {
  Binary,
  Bool,
  type Data,
  type DataType,
  DateDay,
  Field,
  Float64,
  Int32,
  Int64,
  makeBuilder,
  makeData,
  RecordBatch,
  RecordBatchStreamWriter,
  Schema,
  Struct,
  TimeMicrosecond,
  TimestampMicrosecond,
  Utf8,
} from 'apache-arrow';
import type { OutputStream } from './output-stream.js';

/**
 * The Arrow type of each column kind: Bool, Int32, Int64, Float64, Date32 (days), Time64 (µs),
 * Timestamp (µs, UTC; values to the millisecond), Binary (the bytes), Utf8 for text, exact decimals and
 * integers wider than 64 bits, and Utf8 JSON for lists, structs and maps.
 */
const ARROW_TYPES: Record<ColumnKind, () => DataType> = {
  boolean: () => new Bool(),
  int32: () => new Int32(),
  int64: () => new Int64(),
  float64: () => new Float64(),
  date: () => new DateDay(),
  time: () => new TimeMicrosecond(),
  timestamp: () => new TimestampMicrosecond('UTC'),
  blob: () => new Binary(),
  text: () => new Utf8(),
  json: () => new Utf8(),
};

/** A user value as the Arrow builder of its column kind takes it (null when it has no Arrow form). */
function arrowValue(kind: ColumnKind, value: UserValue): unknown {
  if (value === null) return null;
  switch (kind) {
    case 'boolean':
    case 'int32':
      return value;
    case 'int64':
      return BigInt(value as number | string);
    case 'float64':
      return Number(value);
    case 'date':
    case 'timestamp': {
      // DATE `YYYY-MM-DD` and ISO timestamps: epoch milliseconds (infinities have none).
      const ms = Date.parse(value as string);
      return Number.isNaN(ms) ? null : ms;
    }
    case 'time':
      return microsOfDay(value as string);
    case 'blob':
      return new Uint8Array(Buffer.from(value as string, 'base64'));
    default:
      return cellText(value);
  }
}

/** `HH:MM:SS[.ffffff]` as microseconds since midnight. */
function microsOfDay(text: string): bigint | null {
  const m = /^(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/.exec(text);
  if (!m) return null;
  const seconds = Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]);
  return BigInt(seconds) * 1_000_000n + BigInt((m[4] ?? '').padEnd(6, '0'));
}

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
  const schema = new Schema(columns.map((c) => new Field(c.name, ARROW_TYPES[c.kind](), true)));
  const writer = new ChunkedStreamWriter();
  // The schema goes out first, so that an empty result is still a readable stream with its columns.
  writer.reset(undefined, schema);
  await out.write(writer.take());
  let rows = 0;
  for await (const chunk of chunks) {
    if (chunk.length === 0) continue;
    rows += chunk.length;
    const builders = schema.fields.map((field) => makeBuilder({ type: field.type, nullValues: [null] }));
    const kinds = columns.map((c) => c.kind);
    for (const row of chunk) {
      for (let i = 0; i < builders.length; i++)
        builders[i]?.append(arrowValue(kinds[i] as ColumnKind, row[i] ?? null));
    }
    const children = builders.map((b) => b.finish().toVector().data[0] as Data);
    const data = makeData({
      type: new Struct(schema.fields),
      length: chunk.length,
      nullCount: 0,
      children,
    }) as Data<Struct>;
    writer.write(new RecordBatch(schema, data));
    await out.write(writer.take());
  }
  writer.finish();
  await out.write(writer.take());
  return rows;
}
