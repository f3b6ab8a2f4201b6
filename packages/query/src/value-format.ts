import {
  type DuckDBBlobValue,
  type DuckDBListValue,
  type DuckDBMapValue,
  type DuckDBStructValue,
  type DuckDBTimestampMillisecondsValue,
  type DuckDBTimestampNanosecondsValue,
  type DuckDBTimestampSecondsValue,
  type DuckDBTimestampTZValue,
  type DuckDBTimestampValue,
  type DuckDBType,
  DuckDBTypeId,
  type DuckDBUnionValue,
  type DuckDBValue,
} from '@duckdb/node-api';

/**
 * A value as a user reads it, the same in every output format: JSON-compatible, never a `bigint`, a `Date`
 * or a byte array. Text for what JSON has no type for (dates, times, intervals, exact decimals, base64
 * bytes, integers past 2^53); arrays and objects for LIST, ARRAY, STRUCT and MAP.
 */
export type UserValue = string | number | boolean | null | UserValue[] | { [key: string]: UserValue };

/** Converts one DuckDB value of a known type to a {@link UserValue}. */
export type ValueFormatter = (value: DuckDBValue) => UserValue;

/**
 * The formatter for values of `type`, chosen once per column:
 * - DATE `2026-11-14`; TIME `10:00:00` (`.ffffff` when there is a fraction); TIMETZ `10:00:00+00`;
 * - TIMESTAMP and TIMESTAMPTZ ISO-8601 in UTC with `Z`, milliseconds always, micro/nanoseconds when not
 *   zero (`2026-11-14T10:00:00.000Z`); `infinity` and `-infinity` as such;
 * - INTERVAL as DuckDB prints it (`1 day 02:30:00`); BLOB as base64; BIT as `0101`;
 * - integers as numbers while exact (|n| ≤ 2^53 − 1), else as decimal text; DECIMAL as exact text;
 *   FLOAT/DOUBLE as numbers, `NaN` and `±Infinity` as text (JSON has no such numbers);
 * - LIST and ARRAY as arrays, STRUCT as objects, MAP as an object keyed by each key's text, UNION as its
 *   member's value; everything else (UUID, ENUM, VARIANT, …) as DuckDB's text.
 */
export function formatterFor(type: DuckDBType): ValueFormatter {
  const f = nonNullFormatterFor(type);
  return (value) => (value === null ? null : f(value));
}

function nonNullFormatterFor(type: DuckDBType): ValueFormatter {
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return (v) => v as boolean;
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.UTINYINT:
    case DuckDBTypeId.USMALLINT:
    case DuckDBTypeId.UINTEGER:
      return (v) => v as number;
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
    case DuckDBTypeId.BIGNUM:
      return (v) => exactInteger(v as bigint);
    case DuckDBTypeId.FLOAT:
    case DuckDBTypeId.DOUBLE:
      return (v) => (Number.isFinite(v) ? (v as number) : String(v));
    case DuckDBTypeId.DECIMAL:
    case DuckDBTypeId.DATE:
    case DuckDBTypeId.TIME:
    case DuckDBTypeId.TIME_NS:
    case DuckDBTypeId.TIME_TZ:
    case DuckDBTypeId.INTERVAL:
      return String;
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_TZ:
      return (v) => isoFromMicros((v as DuckDBTimestampValue | DuckDBTimestampTZValue).micros, v);
    case DuckDBTypeId.TIMESTAMP_S:
      return (v) => isoFromMicros((v as DuckDBTimestampSecondsValue).seconds * 1_000_000n, v);
    case DuckDBTypeId.TIMESTAMP_MS:
      return (v) => isoFromMicros((v as DuckDBTimestampMillisecondsValue).millis * 1000n, v);
    case DuckDBTypeId.TIMESTAMP_NS:
      return (v) => isoFromNanos((v as DuckDBTimestampNanosecondsValue).nanos, v);
    case DuckDBTypeId.BLOB:
      return (v) => Buffer.from((v as DuckDBBlobValue).bytes).toString('base64');
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY: {
      const item = formatterFor(type.valueType);
      return (v) => (v as DuckDBListValue).items.map(item);
    }
    case DuckDBTypeId.STRUCT: {
      const fields = type.entryNames.map(
        (name, i) => [name, formatterFor(type.entryTypes[i] as DuckDBType)] as const,
      );
      return (v) => {
        const entries = (v as DuckDBStructValue).entries;
        const out: Record<string, UserValue> = {};
        for (const [name, f] of fields) out[name] = f(entries[name] ?? null);
        return out;
      };
    }
    case DuckDBTypeId.MAP: {
      const key = formatterFor(type.keyType);
      const value = formatterFor(type.valueType);
      return (v) => {
        const out: Record<string, UserValue> = {};
        for (const e of (v as DuckDBMapValue).entries) out[cellText(key(e.key))] = value(e.value);
        return out;
      };
    }
    case DuckDBTypeId.UNION: {
      const members = new Map(
        type.memberTags.map((tag, i) => [tag, formatterFor(type.memberTypes[i] as DuckDBType)]),
      );
      return (v) => {
        const u = v as DuckDBUnionValue;
        return (members.get(u.tag) ?? String)(u.value);
      };
    }
    case DuckDBTypeId.SQLNULL:
      return () => null;
    default:
      return String;
  }
}

/**
 * A user value as one cell of text (CSV, a table): text as is, numbers and booleans as JSON writes them,
 * arrays and objects as JSON, NULL as the empty string.
 */
export function cellText(value: UserValue): string {
  if (value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

const MAX_EXACT = BigInt(Number.MAX_SAFE_INTEGER);

function exactInteger(n: bigint): number | string {
  return n <= MAX_EXACT && n >= -MAX_EXACT ? Number(n) : n.toString();
}

/** DuckDB's timestamp infinities, in microseconds (and, times 1000, nanoseconds). */
const POS_INF = 9223372036854775807n;
const NEG_INF = -9223372036854775807n;

/** `2026-11-14T10:00:00.000Z`, with the microseconds when they are not zero. */
function isoFromMicros(micros: bigint, original: DuckDBValue): string {
  const ms = micros / 1000n - (micros % 1000n < 0n ? 1n : 0n);
  const sub = Number(micros - ms * 1000n);
  return iso(ms, sub === 0 ? '' : String(sub).padStart(3, '0'), original);
}

function isoFromNanos(nanos: bigint, original: DuckDBValue): string {
  const ms = nanos / 1_000_000n - (nanos % 1_000_000n < 0n ? 1n : 0n);
  const sub = Number(nanos - ms * 1_000_000n);
  return iso(ms, sub === 0 ? '' : String(sub).padStart(6, '0'), original);
}

function iso(ms: bigint, fraction: string, original: DuckDBValue): string {
  const date = new Date(Number(ms));
  // Infinities and years beyond what a JS Date holds: DuckDB's own text, which says what it is.
  if (Number.isNaN(date.getTime()) || isInfinite(original)) return String(original);
  const text = date.toISOString();
  return fraction === '' ? text : `${text.slice(0, -1)}${fraction}Z`;
}

function isInfinite(value: DuckDBValue): boolean {
  const v = value as { micros?: bigint; millis?: bigint; seconds?: bigint; nanos?: bigint };
  const raw = v.micros ?? v.millis ?? v.seconds ?? v.nanos;
  return raw === POS_INF || raw === NEG_INF;
}
