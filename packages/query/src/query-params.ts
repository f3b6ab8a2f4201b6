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
import { QueryError } from './errors.js';

/** A value bound to a `$name` parameter: never spliced into SQL text. */
export type QueryParam = string | number | boolean | Date | readonly string[];

/** Named parameters of a statement, `$name` in its SQL. */
export type QueryParams = Readonly<Record<string, QueryParam>>;

/**
 * Binds `params` to the `$name` parameters of `prepared` with explicit types: text as VARCHAR, whole
 * numbers as BIGINT, other numbers as DOUBLE, booleans, `Date`s as TIMESTAMPTZ, string arrays as VARCHAR[]
 * (an empty one too). Parameters the statement does not use are left out; one it uses but `params` lacks
 * is an error, and so is a statement with parameters but no `params` (SQL typed by a user).
 */
export function bindParams(prepared: DuckDBPreparedStatement, params: QueryParams, sql: string): void {
  const values: Record<string, DuckDBValue> = {};
  const types: Record<string, DuckDBType> = {};
  for (let i = 1; i <= prepared.parameterCount; i++) {
    const name = prepared.parameterName(i);
    const value = params[name];
    if (value === undefined) {
      throw new QueryError(
        `the query has a parameter $${name} but no value for it: write the value into the SQL`,
        sql,
      );
    }
    if (typeof value === 'string') {
      values[name] = value;
      types[name] = VARCHAR;
    } else if (typeof value === 'number') {
      values[name] = Number.isInteger(value) ? BigInt(value) : value;
      types[name] = Number.isInteger(value) ? BIGINT : DOUBLE;
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
  if (prepared.parameterCount > 0) prepared.bind(values, types);
}
