/** The formats `query` and `report` print in. */
export const OUTPUT_FORMATS = ['table', 'csv', 'json', 'jsonl', 'arrow'] as const;

/**
 * `table` for people (the first {@link TABLE_ROWS} rows, then how many more there were); `csv` with a header
 * row; `json` one array of row objects; `jsonl` one object per line; `arrow` an Arrow IPC stream.
 */
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** Rows a table shows at most: it is for people, and holds what it shows. */
export const TABLE_ROWS = 1000;

/** Help text of every `--format` flag. */
export const FORMAT_HELP =
  'output format: table (first 1,000 rows), csv, json (one array), jsonl (one object a line), arrow (IPC stream)';
