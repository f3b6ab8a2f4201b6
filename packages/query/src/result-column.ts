import { type DuckDBType, DuckDBTypeId } from '@duckdb/node-api';

/**
 * What a column holds, for writers that keep types (Arrow): the values themselves are always
 * {@link UserValue}s. `int32`/`int64`/`float64` hold numbers (an `int64` past 2^53 comes as decimal text,
 * a `float64` NaN or infinity as text); `date` `YYYY-MM-DD`; `time` `HH:MM:SS[.ffffff]`; `timestamp`
 * ISO-8601 UTC text; `blob` base64 text; `json` arrays and objects; `text` everything else, exact decimals
 * and very wide integers included.
 */
export type ColumnKind =
  | 'boolean'
  | 'int32'
  | 'int64'
  | 'float64'
  | 'text'
  | 'date'
  | 'time'
  | 'timestamp'
  | 'blob'
  | 'json';

/** One column of a result. */
export interface ResultColumn {
  /** Its name, made unique within the result (`a`, `a:1`) when the SQL repeats one. */
  name: string;
  /** DuckDB's name of its type, e.g. `TIMESTAMP WITH TIME ZONE`, `DECIMAL(18,3)`, `VARCHAR[]`. */
  sqlType: string;
  kind: ColumnKind;
}

/** The {@link ColumnKind} of a DuckDB type. */
export function kindOf(type: DuckDBType): ColumnKind {
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return 'boolean';
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.UTINYINT:
    case DuckDBTypeId.USMALLINT:
      return 'int32';
    case DuckDBTypeId.UINTEGER:
    case DuckDBTypeId.BIGINT:
      return 'int64';
    case DuckDBTypeId.FLOAT:
    case DuckDBTypeId.DOUBLE:
      return 'float64';
    case DuckDBTypeId.DATE:
      return 'date';
    case DuckDBTypeId.TIME:
      return 'time';
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_TZ:
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_NS:
      return 'timestamp';
    case DuckDBTypeId.BLOB:
      return 'blob';
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY:
    case DuckDBTypeId.STRUCT:
    case DuckDBTypeId.MAP:
    case DuckDBTypeId.UNION:
    case DuckDBTypeId.VARIANT:
      return 'json';
    default:
      return 'text';
  }
}
