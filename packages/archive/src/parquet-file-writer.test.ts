import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ParquetFileWriter } from './parquet-file-writer.js';
import { TABLES } from './schema.js';
import { sqlString } from './table-sql.js';

let root: string;
let db: DuckDBInstance;
let con: DuckDBConnection;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'swas-parquet-writer-'));
  db = await DuckDBInstance.create(':memory:');
  con = await db.connect();
  await con.run(`SET TimeZone = 'UTC'; SET preserve_insertion_order = false`);
});
afterAll(async () => {
  con.closeSync();
  db.closeSync();
  await rm(root, { recursive: true, force: true });
});

/** Rows of `runs`, out of order, over two UTC dates (one row a minute before midnight). */
const RUNS = `SELECT * FROM (VALUES
    ('r3', TIMESTAMPTZ '2026-11-02 08:00:00+00', 3),
    ('r1', TIMESTAMPTZ '2026-11-01 09:00:00+00', 1),
    ('r2', TIMESTAMPTZ '2026-11-01 23:59:00+00', 2)
  ) t(run_id, started_at, throttles)`;
const runsSelect = (source: string) =>
  `SELECT ${TABLES.runs.columns
    .map((c) =>
      ['run_id', 'started_at', 'throttles'].includes(c.name)
        ? c.name
        : `CAST(NULL AS ${c.type}) AS "${c.name}"`,
    )
    .join(', ')} FROM (${source})`;

describe('ParquetFileWriter', () => {
  it('writes one sorted file per UTC date partition and describes each exactly', async () => {
    const writer = new ParquetFileWriter(con, {
      root,
      snapshotId: 'snap-1',
      schemaVersion: 2,
      rowGroupSize: 1000,
      budgetBytes: 64e6,
    });
    const files = await writer.write(TABLES.runs, runsSelect(RUNS));
    expect(files.map((f) => [f.path, f.staged, f.partition, f.rows])).toEqual([
      [
        'runs/date=2026-11-01/part-snap-1-0.parquet',
        '_staging/snap-1/runs/date=2026-11-01/part-snap-1-0.parquet',
        { date: '2026-11-01' },
        2,
      ],
      [
        'runs/date=2026-11-02/part-snap-1-0.parquet',
        '_staging/snap-1/runs/date=2026-11-02/part-snap-1-0.parquet',
        { date: '2026-11-02' },
        1,
      ],
    ]);
    for (const file of files) {
      const bytes = await readFile(join(root, file.staged));
      expect(file.bytes).toBe(bytes.length);
      expect(file.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
      expect([file.table, file.snapshotId, file.schemaVersion]).toEqual(['runs', 'snap-1', 2]);
      const read = await con.runAndReadAll(
        `SELECT run_id FROM read_parquet(${sqlString(join(root, file.staged))}, hive_partitioning = false)`,
      );
      // In the file's order: sorted by the table's `sortBy` (started_at), whatever the select's order.
      expect(read.getRows().map((r) => r[0])).toEqual(
        file.partition.date === '2026-11-01' ? ['r1', 'r2'] : ['r3'],
      );
    }
  });

  it('writes only the columns of its schema version unless told which', async () => {
    const columnsOf = async (path: string) =>
      (await con.runAndReadAll(`SELECT name FROM parquet_schema(${sqlString(path)})`))
        .getRows()
        .map((r) => r[0]);
    const obs = TABLES.invocation_observations;
    const select = `SELECT ${obs.columns
      .map((c) =>
        c.name === 'creation_time'
          ? `TIMESTAMPTZ '2026-11-03 10:00:00+00' AS creation_time`
          : `CAST(NULL AS ${c.type}) AS "${c.name}"`,
      )
      .join(', ')}`;
    const v1 = new ParquetFileWriter(con, {
      root,
      snapshotId: 'snap-v1',
      schemaVersion: 1,
      rowGroupSize: 1000,
      budgetBytes: 64e6,
    });
    const [old] = await v1.write(obs, select);
    const [all] = await v1.write(obs, select.replace('2026-11-03', '2026-11-04'), obs.columns);
    expect(await columnsOf(join(root, old?.staged ?? ''))).not.toContain('output_base64');
    expect(await columnsOf(join(root, all?.staged ?? ''))).toContain('output_base64');
    expect([old?.schemaVersion, all?.schemaVersion]).toEqual([1, 1]);
  });

  it('writes no file for a select without rows', async () => {
    const writer = new ParquetFileWriter(con, {
      root,
      snapshotId: 'snap-empty',
      schemaVersion: 2,
      rowGroupSize: 1000,
      budgetBytes: 64e6,
    });
    expect(await writer.write(TABLES.runs, `${runsSelect(RUNS)} WHERE false`)).toEqual([]);
  });

  it('cuts a write larger than its budget into parts, each file sorted, every row written once', async () => {
    // 3 dates × 600 runs of ~100 bytes each; a budget of 20 kB makes every date several files.
    const source = `SELECT 'run-' || lpad(i::VARCHAR, 5, '0') || repeat('x', 90) AS run_id,
        TIMESTAMPTZ '2026-11-01 00:00:00+00' + INTERVAL (i % 3) DAY + INTERVAL (i) SECOND AS started_at,
        i AS throttles FROM range(1800) r(i)`;
    const writer = new ParquetFileWriter(con, {
      root,
      snapshotId: 'snap-big',
      schemaVersion: 2,
      rowGroupSize: 1000,
      budgetBytes: 20_000,
    });
    const files = await writer.write(TABLES.runs, runsSelect(source));
    const dates = new Set(files.map((f) => f.partition.date));
    expect([...dates].sort()).toEqual(['2026-11-01', '2026-11-02', '2026-11-03']);
    expect(files.length).toBeGreaterThan(6);
    expect(new Set(files.map((f) => f.path)).size).toBe(files.length);
    expect(files.reduce((n, f) => n + f.rows, 0)).toBe(1800);
    const all: string[] = [];
    for (const file of files) {
      const read = await con.runAndReadAll(
        `SELECT epoch_ms(started_at), run_id FROM read_parquet(${sqlString(join(root, file.staged))})`,
      );
      const times = read.getRows().map((r) => Number(r[0]));
      expect(times).toEqual([...times].sort((a, b) => a - b));
      all.push(...read.getRows().map((r) => String(r[1])));
    }
    expect(new Set(all).size).toBe(1800);
  });
});
