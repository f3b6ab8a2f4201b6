import { cellText, type ResultColumn, type RowChunk } from '@swas-archive/query';
import { TABLE_ROWS } from './output-format.js';
import type { OutputStream } from './output-stream.js';
import { textTable } from './text-table.js';

/**
 * A table for people: the first {@link TABLE_ROWS} rows (cells flattened to one line, at most 60
 * characters), then the row count; past that it counts the rest without holding it and says how to get
 * every row.
 */
export async function writeTable(
  out: OutputStream,
  columns: readonly ResultColumn[],
  chunks: AsyncIterable<RowChunk>,
): Promise<number> {
  const shown: string[][] = [];
  let rows = 0;
  for await (const chunk of chunks) {
    if (rows >= TABLE_ROWS) {
      // Past what is shown only the count matters: the rows are not even made.
      rows += chunk.length;
      continue;
    }
    for (const row of chunk) {
      if (rows < TABLE_ROWS) shown.push(row.map((v) => truncate(cellText(v), 60)));
      rows++;
    }
  }
  const count = `${rows.toLocaleString('en-US')} row${rows === 1 ? '' : 's'}`;
  const footer =
    rows > TABLE_ROWS
      ? `(${count}: the first ${TABLE_ROWS.toLocaleString('en-US')} shown, ${(rows - TABLE_ROWS).toLocaleString('en-US')} more not; --format csv, json, jsonl or arrow prints every row)`
      : `(${count})`;
  const table = textTable(
    columns.map((c) => c.name),
    shown,
  );
  await out.write(`${table}\n${footer}\n`);
  return rows;
}

const truncate = (s: string, n: number) => {
  const flat = s.replace(/\s+/g, ' ');
  return flat.length > n ? `${flat.slice(0, n - 1)}…` : flat;
};
