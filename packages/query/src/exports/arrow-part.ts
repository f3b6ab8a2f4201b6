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
  RecordBatchFileWriter,
  Schema,
  Struct,
  TimeMicrosecond,
  TimestampMicrosecond,
  Utf8,
} from 'apache-arrow';
import type { ColumnKind, ResultColumn } from '../result-column.js';
import { cellText, type UserValue } from '../value-format.js';
import type { HashedFile } from './hashed-file.js';
import type { PartWriter } from './part-writers.js';

/** Rows per record batch. */
const BATCH_ROWS = 2048;

/**
 * The Arrow type of each column kind (as the CLI's `--format arrow`): Timestamp (µs, UTC), Date32, Time64
 * (µs), Int32/Int64/Float64, Bool, Binary, and Utf8 for text (exact as stored) and for JSON of lists and maps.
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

/** A user value as the Arrow builder of its kind takes it. */
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
      const ms = Date.parse(value as string);
      return Number.isNaN(ms) ? null : ms;
    }
    case 'time': {
      const m = /^(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/.exec(value as string);
      if (!m) return null;
      const s = Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]);
      return BigInt(s) * 1_000_000n + BigInt((m[4] ?? '').padEnd(6, '0'));
    }
    case 'blob':
      return new Uint8Array(Buffer.from(value as string, 'base64'));
    default:
      return cellText(value);
  }
}

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
  const schema = new Schema(columns.map((c) => new Field(c.name, ARROW_TYPES[c.kind](), true)));
  const kinds = columns.map((c) => c.kind);
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
    const builders = schema.fields.map((f) => makeBuilder({ type: f.type, nullValues: [null] }));
    for (const row of rows)
      for (let i = 0; i < builders.length; i++)
        builders[i]?.append(arrowValue(kinds[i] as ColumnKind, row[i] ?? null));
    const children = builders.map((b) => b.finish().toVector().data[0] as Data);
    const data = makeData({ type: new Struct(schema.fields), length: rows.length, nullCount: 0, children });
    writer.write(new RecordBatch(schema, data as Data<Struct>));
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
