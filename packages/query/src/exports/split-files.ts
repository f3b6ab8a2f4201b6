import { join } from 'node:path';
import type { ResultColumn } from '../result-column.js';
import type { UserValue } from '../value-format.js';
import type { ManifestFile } from './export-manifest.js';
import { HashedFile } from './hashed-file.js';
import type { PartWriter, PartWriterFactory } from './part-writers.js';

/** Where and how {@link writeSplitFiles} writes. */
export interface SplitTarget {
  folder: string;
  factory: PartWriterFactory;
  maxRows: number;
  maxBytes: number;
  /** Names the n-th file (from 1). */
  fileName: (n: number) => string;
  onFile?: (file: ManifestFile) => void;
}

/** Writes the result's rows into files of at most `maxRows` rows and (nearly) `maxBytes` bytes. */
export async function writeSplitFiles(
  result: AsyncIterable<Iterable<UserValue[]>>,
  columns: readonly ResultColumn[],
  target: SplitTarget,
): Promise<{ files: ManifestFile[]; policies: Set<string> }> {
  const { folder, factory, fileName } = target;
  const policyColumn = columns.findIndex((c) => c.name === 'redaction_policy');
  const policies = new Set<string>();
  const files: ManifestFile[] = [];
  let file: HashedFile | undefined;
  let part: PartWriter | undefined;
  let rows = 0;
  const close = async () => {
    if (!file || !part) return;
    await part.finish();
    const done = { path: fileName(files.length + 1), rows, ...(await file.close()) };
    files.push(done);
    target.onFile?.(done);
    file = undefined;
    part = undefined;
  };
  const open = async () => {
    file = await HashedFile.create(join(folder, fileName(files.length + 1)));
    part = await factory(file, columns);
    rows = 0;
  };
  try {
    for await (const chunk of result) {
      for (const row of chunk) {
        if (policyColumn >= 0) {
          const p = row[policyColumn];
          if (typeof p === 'string') policies.add(p);
        }
        if (!part) await open();
        let encoded = (part as PartWriter).encode(row);
        const size = encoded === undefined ? 0 : Buffer.byteLength(encoded);
        if (
          rows > 0 &&
          (rows >= target.maxRows || (part as PartWriter).pendingBytes + size > target.maxBytes)
        ) {
          await close();
          await open();
          encoded = (part as PartWriter).encode(row);
        }
        await (part as PartWriter).add(row, encoded);
        rows++;
      }
    }
    // An empty period still gets one file, with the header or schema.
    if (!part && files.length === 0) await open();
    await close();
    return { files, policies };
  } catch (error) {
    await file?.abandon();
    throw error;
  }
}
