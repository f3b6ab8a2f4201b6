import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { ExportFormat } from './export-manifest.js';

/** A file's size and hex SHA-256, streamed. */
export async function sha256OfFile(path: string): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { bytes, sha256: hash.digest('hex') };
}

/**
 * The rows a data file holds, read the way its format defines them, with no DuckDB: Parquet from its footer
 * (hyparquet), Arrow by reading each record batch (apache-arrow), CSV by parsing it (csv-parse; the header
 * is not a row), JSON Lines by its lines. Throws when the file cannot be read as its format.
 */
export async function countRows(path: string, format: ExportFormat): Promise<number> {
  switch (format) {
    case 'parquet': {
      const { asyncBufferFromFile, parquetMetadataAsync } = await import('hyparquet');
      const meta = await parquetMetadataAsync(await asyncBufferFromFile(path));
      return Number(meta.num_rows);
    }
    case 'arrow': {
      const { RecordBatchReader } = await import('apache-arrow');
      const handle = await open(path, 'r');
      try {
        const reader = await RecordBatchReader.from(handle);
        let rows = 0;
        for await (const batch of reader) rows += batch.numRows;
        return rows;
      } finally {
        await handle.close();
      }
    }
    case 'csv': {
      const { parse } = await import('csv-parse');
      let records = 0;
      for await (const _ of createReadStream(path).pipe(parse({ relax_column_count: false }))) records++;
      return Math.max(0, records - 1);
    }
    case 'jsonl': {
      let lines = 0;
      let last = 0x0a;
      for await (const chunk of createReadStream(path)) {
        const buf = chunk as Buffer;
        for (let i = buf.indexOf(0x0a); i !== -1; i = buf.indexOf(0x0a, i + 1)) lines++;
        if (buf.length > 0) last = buf[buf.length - 1] as number;
      }
      // A last line without its newline is a row too.
      return last === 0x0a ? lines : lines + 1;
    }
  }
}
