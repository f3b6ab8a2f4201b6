import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { cp, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { Catalog } from '@swas-archive/archive';

const sqlString = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/**
 * A large archive made in seconds from a small real one: the seed archive's observations `copies` times,
 * each copy with its own invoke ids and its creation times moved back by a multiple of `shiftDays`
 * days (within about a year), written as
 * the archive writes them (zstd Parquet, `date=` partitions; not re-sorted) with a catalog that
 * lists them. The other tables are the seed's. For benchmarks of readers only: no crawl wrote it.
 */
export async function buildSyntheticArchive(options: {
  seed: string;
  root: string;
  copies: number;
  shiftDays?: number;
}): Promise<{ rows: number; bytes: number }> {
  const { seed, root, copies, shiftDays = 14 } = options;
  // About a year of daily partitions however many copies: later copies share dates with earlier ones.
  const cycles = Math.max(1, Math.floor(365 / shiftDays));
  await mkdir(root, { recursive: true });
  const catalog = JSON.parse(await readFile(join(seed, 'catalog.json'), 'utf8')) as Catalog;
  const seedFiles = catalog.files.filter((f) => f.table === 'invocation_observations');
  const db = await DuckDBInstance.create(':memory:', {
    threads: '2',
    memory_limit: '4GB',
    preserve_insertion_order: 'false',
    temp_directory: `${root}.spill`,
  });
  const con = await db.connect();
  try {
    const source = `read_parquet([${seedFiles.map((f) => sqlString(join(seed, f.path))).join(', ')}], union_by_name = true)`;
    const out = join(root, 'invocation_observations');
    await con.run(`COPY (
        SELECT * REPLACE (
            invoke_id || '-' || k AS invoke_id,
            creation_time - to_days(CAST((k % ${cycles}) * ${shiftDays} AS INTEGER)) AS creation_time,
            observed_at - to_days(CAST((k % ${cycles}) * ${shiftDays} AS INTEGER)) AS observed_at
          ),
          strftime(creation_time - to_days(CAST((k % ${cycles}) * ${shiftDays} AS INTEGER)), '%Y-%m-%d') AS date
        FROM ${source}, range(${copies}) AS r(k)
      ) TO ${sqlString(out)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 100000, PARTITION_BY (date), OVERWRITE_OR_IGNORE)`);
  } finally {
    con.closeSync();
    db.closeSync();
    await rm(`${root}.spill`, { recursive: true, force: true });
  }
  const files: Catalog['files'] = catalog.files.filter((f) => f.table !== 'invocation_observations');
  let rows = 0;
  let bytes = 0;
  const reader = await DuckDBInstance.create(':memory:');
  const rcon = await reader.connect();
  try {
    for (const dir of await readdir(join(root, 'invocation_observations'))) {
      for (const name of await readdir(join(root, 'invocation_observations', dir))) {
        const path = join(root, 'invocation_observations', dir, name);
        const count = Number(
          (
            await rcon.runAndReadAll(`SELECT count(*) FROM read_parquet(${sqlString(path)})`)
          ).getRows()[0]?.[0],
        );
        const size = (await stat(path)).size;
        rows += count;
        bytes += size;
        files.push({
          table: 'invocation_observations',
          path: relative(root, path).split('\\').join('/'),
          partition: { date: dir.replace('date=', '') },
          rows: count,
          bytes: size,
          sha256: await sha256(path),
          snapshotId: 'synthetic',
          schemaVersion: catalog.schemaVersion,
        });
      }
    }
  } finally {
    rcon.closeSync();
    reader.closeSync();
  }
  // The seed's other tables are shared by path: copy their files so the new archive stands alone.
  // (Every table the catalog lists besides the history: the latest state and daily counts too.)
  const others = new Set(
    catalog.files.filter((f) => f.table !== 'invocation_observations').map((f) => f.path.split('/')[0] ?? ''),
  );
  for (const folder of others) await cp(join(seed, folder), join(root, folder), { recursive: true });
  await writeFile(join(root, 'catalog.json'), JSON.stringify({ ...catalog, files, version: 1 }));
  return { rows, bytes };
}

async function sha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
