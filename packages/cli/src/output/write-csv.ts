import { cellText, type ResultColumn, type RowChunk } from '@swas-archive/query';
import type { OutputStream } from './output-stream.js';

/**
 * One CSV field (RFC 4180): quoted, with quotes doubled, when it holds a quote, a comma or a line break.
 * Written here rather than with csv-stringify, whose per-character loop was five times slower on the
 * archive's long command outputs (192 ms against 36 ms for 2,048 rows).
 */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** CSV with a header row, written as rows come; NULL is an empty field, arrays and objects are JSON. */
export async function writeCsv(
  out: OutputStream,
  columns: readonly ResultColumn[],
  chunks: AsyncIterable<RowChunk>,
): Promise<number> {
  await out.text(`${columns.map((c) => csvField(c.name)).join(',')}\n`);
  let rows = 0;
  for await (const chunk of chunks) {
    rows += chunk.length;
    for (const row of chunk) {
      let line = '';
      for (let i = 0; i < row.length; i++)
        line += `${i === 0 ? '' : ','}${csvField(cellText(row[i] ?? null))}`;
      await out.text(`${line}\n`);
    }
  }
  await out.flush();
  return rows;
}
