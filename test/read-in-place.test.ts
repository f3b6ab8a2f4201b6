import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { DuckDBInstance } from '@duckdb/node-api';
import { run } from '@swas-archive/cli';
import { QuerySession } from '@swas-archive/query';
import { describe, expect, it } from 'vitest';
import { archivedRow, crawlOnce, truthRow, withArchiveRoot, withEmulator } from './helpers/harness.js';

/** Runs the command line in this process (its flags and output are what is tested, not the bin's start). */
async function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const sink = (put: (s: string) => void) =>
    new Writable({
      write(chunk: Buffer | string, _enc, done) {
        put(chunk.toString());
        done();
      },
    });
  const code = await run(args, {
    stdout: sink((s) => {
      stdout += s;
    }),
    stderr: sink((s) => {
      stderr += s;
    }),
    env: {},
  });
  return { code, stdout, stderr };
}

/** An archive with nothing committed yet. */
const emptyCatalogJson = {
  format: 'swas-archive/1',
  schemaVersion: 4,
  version: 0,
  files: [],
  snapshots: [],
  cursors: {},
};

/** A value as both sides can compare it: times as ISO text, integers as numbers. */
const plain = (v: unknown): unknown =>
  v instanceof Date ? v.toISOString() : typeof v === 'bigint' ? Number(v) : v;
const plainRow = (r: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(r).map(([k, v]) => [k, plain(v)]));

/** Rows of `sql` in a DuckDB that ran `ddl` (nothing of the project's code reads the files). */
async function underDdl(ddl: string, sql: string): Promise<Record<string, unknown>[]> {
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  try {
    await con.run(`SET TimeZone = 'UTC'`);
    await con.run(ddl);
    return ((await con.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[]).map(plainRow);
  } finally {
    con.closeSync();
    db.closeSync();
  }
}

describe('reading in place: swas-archive ddl --engine duckdb', () => {
  it('the external tables over a crawled archive hold the rows of the invocations, history, runs and coverage views', async () => {
    const fleet = {
      seed: 53,
      clock: { start: '2026-06-01T00:00:00Z', speed: 0 },
      fleet: { regions: 1, instancesPerRegion: 3, invocations: 150 },
      live: { invocationsPerMinute: 2 },
    };
    await withEmulator(fleet, async (emu) => {
      await withArchiveRoot(async (root) => {
        await crawlOnce(emu, root);
        // New invocations, running ones finish, results fetched late: a history with changes.
        emu.admin.advance(3_600_000);
        await crawlOnce(emu, root, { withResults: true });
        const out = await runCli(['ddl', '--engine', 'duckdb', '--data', root]);
        expect(out.stderr).toBe('');
        expect(out.code).toBe(0);
        const session = await QuerySession.open(root);
        try {
          for (const [view, table, order] of [
            ['invocations', 'invocations_latest', 'invoke_id'],
            ['invocation_history', 'invocation_observations', 'invoke_id, observed_at'],
            ['runs', 'runs', 'run_id'],
            ['coverage', 'coverage', 'account, region_id, instance_id, observed_at'],
          ] as const) {
            const expected = await session.run(`SELECT * FROM ${view} ORDER BY ${order}`);
            const cols = expected.columns.map((c) => `"${c}"`).join(', ');
            const actual = await underDdl(out.stdout, `SELECT ${cols} FROM ${table} ORDER BY ${order}`);
            expect(expected.rows.length).toBeGreaterThan(0);
            expect(actual).toEqual(expected.rows);
          }
          // The history has changes (an invocation seen twice), and the partition column is its creation date.
          const seenTwice = await session.run('SELECT count(*) AS n FROM invocations WHERE observations > 1');
          expect(Number(seenTwice.rows[0]?.n)).toBeGreaterThan(0);
        } finally {
          session.close();
        }
        const dates = await underDdl(
          out.stdout,
          `SELECT bool_and(date = strftime(creation_time, '%Y-%m-%d')) AS ok FROM invocation_observations`,
        );
        expect(dates).toEqual([{ ok: true }]);
        // And against the emulator's ground truth, row by row: what the service holds now is archived as it is.
        const latest = await underDdl(out.stdout, 'SELECT * FROM invocations_latest');
        const byId = new Map(latest.map((r) => [String(r.invoke_id), r]));
        const held = emu.admin.groundTruth().filter((t) => !t.expiredAt);
        expect(held.length).toBeGreaterThan(0);
        for (const t of held) expect(archivedRow(byId.get(t.invokeId) ?? {})).toEqual(truthRow(t));
      });
    });
  });

  it('says what is wrong: no archive, an engine it does not know, MaxCompute without an OSS location', async () => {
    await withArchiveRoot(async (root) => {
      const none = await runCli(['ddl', '--engine', 'duckdb', '--data', root]);
      expect(none.code).toBe(2);
      expect(none.stderr).toContain('no archive at');
      const engine = await runCli(['ddl', '--engine', 'oracle', '--data', root]);
      expect(engine.code).toBe(2);
      expect(engine.stderr).toMatch(/duckdb, spark, trino, hive, maxcompute/);
      await writeFile(join(root, 'catalog.json'), JSON.stringify(emptyCatalogJson));
      const mc = await runCli(['ddl', '--engine', 'maxcompute', '--data', root]);
      expect(mc.code).toBe(2);
      expect(mc.stderr).toContain('oss://<endpoint>/<bucket>/<prefix>');
      const ok = await runCli(['ddl', '--engine', 'maxcompute', '--data', root, '--location', 'oss://e/b/p']);
      expect(ok.code).toBe(0);
      expect(ok.stdout).toContain("LOCATION 'oss://e/b/p/runs/'");
    });
  });
});
