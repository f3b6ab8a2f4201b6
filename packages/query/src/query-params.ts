import {
  BIGINT,
  BOOLEAN,
  DOUBLE,
  type DuckDBPreparedStatement,
  type DuckDBType,
  type DuckDBValue,
  LIST,
  listValue,
  TIMESTAMPTZ,
  timestampTZValue,
  VARCHAR,
} from '@duckdb/node-api';

/** A value bound to a `$name` parameter: never spliced into SQL text. */
export type QueryParam = string | number | boolean | Date | readonly string[];

/** Named parameters of a statement, `$name` in its SQL. */
export type QueryParams = Readonly<Record<string, QueryParam>>;

/**
 * Binds `params` to `prepared` with explicit types: text as VARCHAR, whole numbers as BIGINT, other
 * numbers as DOUBLE, booleans, `Date`s as TIMESTAMPTZ, string arrays as VARCHAR[] (an empty array too).
 */
export function bindParams(prepared: DuckDBPreparedStatement, params: QueryParams): void {
  const values: Record<string, DuckDBValue> = {};
  const types: Record<string, DuckDBType> = {};
  for (const [name, value] of Object.entries(params)) {
    if (typeof value === 'string') {
      values[name] = value;
      types[name] = VARCHAR;
    } else if (typeof value === 'number') {
      values[name] = value;
      types[name] = Number.isInteger(value) ? BIGINT : DOUBLE;
      if (Number.isInteger(value)) values[name] = BigInt(value);
    } else if (typeof value === 'boolean') {
      values[name] = value;
      types[name] = BOOLEAN;
    } else if (value instanceof Date) {
      values[name] = timestampTZValue(BigInt(value.getTime()) * 1000n);
      types[name] = TIMESTAMPTZ;
    } else {
      values[name] = listValue([...value]);
      types[name] = LIST(VARCHAR);
    }
  }
  prepared.bind(values, types);
}
