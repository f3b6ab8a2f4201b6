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
  Schema,
  Struct,
  TimeMicrosecond,
  TimestampMicrosecond,
  Utf8,
} from 'apache-arrow';
import type { ColumnKind, ResultColumn } from './result-column.js';
import { cellText, type UserValue } from './value-format.js';

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

/** The Arrow schema of a result's columns, every field nullable. */
export function arrowSchema(columns: readonly ResultColumn[]): Schema {
  return new Schema(columns.map((c) => new Field(c.name, ARROW_TYPES[c.kind](), true)));
}

/** One record batch of `rows` (user values, in the columns' order) under `schema`, made by {@link arrowSchema}. */
export function arrowRecordBatch(
  schema: Schema,
  columns: readonly ResultColumn[],
  rows: Iterable<readonly UserValue[]> & { readonly length: number },
): RecordBatch {
  const builders = schema.fields.map((f) => makeBuilder({ type: f.type, nullValues: [null] }));
  const kinds = columns.map((c) => c.kind);
  for (const row of rows)
    for (let i = 0; i < builders.length; i++)
      builders[i]?.append(arrowValue(kinds[i] as ColumnKind, row[i] ?? null));
  const children = builders.map((b) => b.finish().toVector().data[0] as Data);
  const data = makeData({ type: new Struct(schema.fields), length: rows.length, nullCount: 0, children });
  return new RecordBatch(schema, data as Data<Struct>);
}

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
