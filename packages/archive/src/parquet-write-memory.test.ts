import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import { ParquetFileWriter } from './parquet-file-writer.js';
import { SCHEMA_VERSION, TABLES } from './schema.js';

const roots: string[] = [];
afterAll(async () => {
  for (const root of roots) await rm(root, { recursive: true, force: true });
});

const OBS = TABLES.invocation_observations;

/**
 * Rows shaped like an import: every column of an observation, most texts short (statuses, names, ids), over
 * 14 days. Their characters are a small part of their size in DuckDB's memory (a 16-byte header a text).
 */
function importShapedSql(rows: number): string {
  const value = (name: string, type: string): string => {
    if (name === 'creation_time')
      return `TIMESTAMPTZ '2026-05-01 00:00:00+00' - INTERVAL (i * 8 % 1209600) SECOND`;
    if (name === 'instance_id') return `lpad(printf('%x', i // 50 % 200), 32, '0')`;
    if (name === 'invoke_id') return `'t-' || lpad(i::VARCHAR, 12, '0')`;
    if (name === 'command_content') return `'#!/bin/bash' || chr(10) || 'systemctl restart app-' || (i % 37)`;
    if (type === 'VARCHAR') return `'v' || (i % 7)`;
    if (type === 'BOOLEAN') return 'i % 2 = 0';
    if (type === 'TIMESTAMPTZ') return `TIMESTAMPTZ '2026-05-01 00:00:00+00'`;
    return 'i % 5';
  };
  const cols = OBS.columns.map((c) => `(${value(c.name, c.type)})::${c.type} AS "${c.name}"`);
  return `SELECT ${cols.join(', ')} FROM range(${rows}) r(i)`;
}

describe('ParquetFileWriter memory', () => {
  it('writes a staged table of many short texts within a tight memory limit, in parts, without a copy', async () => {
    const root = await mkdtemp(join(tmpdir(), 'swas-parquet-memory-'));
    roots.push(root);
    // The archive's setting in small: a third of the memory limit is the write budget.
    const db = await DuckDBInstance.create(':memory:', {
      memory_limit: '40MB',
      threads: '4',
      temp_directory: join(root, 'spill'),
    });
    const con = await db.connect();
    try {
      await con.run(`SET TimeZone = 'UTC'; SET preserve_insertion_order = false`);
      await con.run(`CREATE TEMP TABLE staged AS ${importShapedSql(150_000)}`);
      const writer = new ParquetFileWriter(con, {
        root,
        snapshotId: 'mem',
        schemaVersion: SCHEMA_VERSION,
        rowGroupSize: 100_000,
        budgetBytes: Math.floor(40e6 / 3),
      });
      const files = await writer.write(OBS, 'SELECT * FROM staged', undefined, { scan: true });
      expect(files.reduce((n, f) => n + f.rows, 0)).toBe(150_000);
      expect(new Set(files.map((f) => f.partition.date)).size).toBe(15);
    } finally {
      con.closeSync();
      db.closeSync();
    }
  }, 60_000);
});
