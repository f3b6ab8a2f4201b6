import type { ResultColumn, RowChunk } from '@swas-archive/query';
import type { OutputFormat } from './output-format.js';
import { OutputClosedError, OutputStream } from './output-stream.js';
import { writeCsv } from './write-csv.js';
import { writeJson, writeJsonLines } from './write-json.js';
import { writeTable } from './write-table.js';

const WRITERS: Record<
  OutputFormat,
  (out: OutputStream, columns: readonly ResultColumn[], chunks: AsyncIterable<RowChunk>) => Promise<number>
> = {
  table: writeTable,
  csv: writeCsv,
  json: writeJson,
  jsonl: writeJsonLines,
  // apache-arrow takes some 20 MB once loaded: only for the format that needs it.
  arrow: async (out, columns, chunks) => (await import('./write-arrow.js')).writeArrow(out, columns, chunks),
};

/**
 * Writes rows to `stream` in `format` as they come, waiting for the stream to take each chunk before
 * asking for the next, and resolves with the number of rows written. A reader that goes away early
 * (`| head`) ends the writing quietly: the rest of the rows are never read.
 */
export async function writeRows(
  stream: NodeJS.WritableStream,
  format: OutputFormat,
  columns: readonly ResultColumn[],
  chunks: AsyncIterable<RowChunk>,
): Promise<number | 'closed'> {
  try {
    return await WRITERS[format](new OutputStream(stream), columns, chunks);
  } catch (error) {
    if (error instanceof OutputClosedError) return 'closed';
    throw error;
  }
}
