import type { ResultColumn, RowChunk, UserValue } from '@swas-archive/query';
import type { OutputStream } from './output-stream.js';

/** `{"name":value,…}` for each row, keys in column order. */
function rowObjects(columns: readonly ResultColumn[]): (row: UserValue[]) => string {
  const keys = columns.map((c) => `${JSON.stringify(c.name)}:`);
  return (row) => {
    let text = '{';
    for (let i = 0; i < keys.length; i++)
      text += `${i === 0 ? '' : ','}${keys[i]}${JSON.stringify(row[i] ?? null)}`;
    return `${text}}`;
  };
}

/** One JSON array of row objects, streamed: `[`, a row a line, `]`. An empty result is `[]`. */
export async function writeJson(
  out: OutputStream,
  columns: readonly ResultColumn[],
  chunks: AsyncIterable<RowChunk>,
): Promise<number> {
  const object = rowObjects(columns);
  let rows = 0;
  await out.text('[');
  for await (const chunk of chunks) {
    for (const row of chunk) {
      await out.text(`${rows === 0 ? '\n' : ',\n'}${object(row)}`);
      rows++;
    }
  }
  await out.text(rows === 0 ? ']\n' : '\n]\n');
  await out.flush();
  return rows;
}

/** JSON Lines: one row object per line. */
export async function writeJsonLines(
  out: OutputStream,
  columns: readonly ResultColumn[],
  chunks: AsyncIterable<RowChunk>,
): Promise<number> {
  const object = rowObjects(columns);
  let rows = 0;
  for await (const chunk of chunks) {
    rows += chunk.length;
    for (const row of chunk) await out.text(`${object(row)}\n`);
  }
  await out.flush();
  return rows;
}
