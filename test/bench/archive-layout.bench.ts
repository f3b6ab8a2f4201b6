import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { openArchive } from '@swas-archive/archive';
import { fleetObservations } from '../helpers/fleet-observations.js';
import type { BenchResult, Figure } from './results.js';

/**
 * The same observations written with different sort orders and row-group sizes, and the typical queries
 * timed on each: the measurement behind the archive's choice (region, instance, creation time; 100,000
 * rows a group).
 * (One function on purpose: a benchmark reads as its procedure, top to bottom.)
 */
export async function archiveLayout(): Promise<BenchResult> {
  const obs = await fleetObservations({
    seed: 11,
    fleet: { regions: 6, instancesPerRegion: 40, invocations: 1_000_000 },
  });
  const root = await mkdtemp(join(tmpdir(), 'bench-layout-'));
  try {
    const archive = await openArchive({ root });
    const snapshot = archive.beginSnapshot('layout');
    for (let i = 0; i < obs.length; i += 100_000) await snapshot.addObservations(obs.slice(i, i + 100_000));
    await snapshot.commit();
    const files = archive.catalog.files
      .filter((f) => f.table === 'invocation_observations')
      .map((f) => join(root, f.path));
    await archive.close();
    const instance = obs[Math.floor(obs.length / 2)]?.instanceId ?? '';
    const db = await DuckDBInstance.create(':memory:');
    const con = await db.connect();
    await con.run(
      `SET TimeZone = 'UTC'; CREATE TEMP TABLE src AS SELECT * FROM read_parquet([${files.map((f) => `'${f}'`).join(',')}])`,
    );
    const variants: [string, string, number][] = [
      [
        'region, instance, time; 100k rows a group (chosen)',
        'region_id, instance_id, creation_time',
        100_000,
      ],
      ['region, instance, time; 10k rows a group', 'region_id, instance_id, creation_time', 10_000],
      ['region, instance, time; 1M rows a group', 'region_id, instance_id, creation_time', 1_000_000],
      ['creation time only; 100k rows a group', 'creation_time', 100_000],
      ['no order (hash of id); 100k rows a group', 'hash(invoke_id)', 100_000],
    ];
    const queries: [string, string][] = [
      [
        'daily failure rate by command',
        `SELECT date_trunc('day', creation_time) d, command_name, avg((invoke_status = 'Failed')::INT) FROM T GROUP BY ALL`,
      ],
      [
        'one instance, all history',
        `SELECT count(*), max(creation_time) FROM T WHERE instance_id = '${instance}'`,
      ],
      [
        'one region, last 3 days, by status',
        `SELECT invocation_status, count(*) FROM T WHERE region_id = 'cn-beijing' AND creation_time >= (SELECT max(creation_time) FROM T) - INTERVAL 3 DAY GROUP BY ALL`,
      ],
    ];
    const figures: Figure[] = [];
    for (const [name, order, rowGroup] of variants) {
      const dir = join(root, `variant-${figures.length}`);
      await con.run(
        `COPY (SELECT *, strftime(creation_time, '%Y-%m-%d') AS date FROM src ORDER BY ${order}) TO '${dir}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE ${rowGroup}, PARTITION_BY (date))`,
      );
      const source = `read_parquet('${dir}/**/*.parquet')`;
      const size = await con.runAndReadAll(
        `SELECT sum(total_compressed_size) FROM parquet_metadata('${dir}/**/*.parquet')`,
      );
      figures.push({ name: `${name}: size`, value: Number(size.getRows()[0]?.[0] ?? 0), unit: 'bytes' });
      for (const [qname, sql] of queries) {
        const times: number[] = [];
        for (let i = 0; i < 5; i++) {
          const t = performance.now();
          await con.runAndReadAll(sql.replaceAll('FROM T', `FROM ${source}`));
          times.push(performance.now() - t);
        }
        times.sort((a, b) => a - b);
        figures.push({
          name: `${name}: ${qname}`,
          value: Number((times[2] as number).toFixed(1)),
          unit: 'ms (median of 5)',
        });
      }
    }
    con.closeSync();
    db.closeSync();
    return { bench: 'archive-layout', figures };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
