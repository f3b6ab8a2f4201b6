import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import { emptyCatalog } from './catalog.js';
import { type DdlEngine, externalTableDdl } from './external-ddl.js';
import { ArchiveUsageError, TABLE_NAMES, TABLES } from './index.js';
import { makeObservations } from './testing/fixtures.js';
import { queryCommitted } from './testing/query-committed.js';
import { removeTempRoots, withArchive } from './testing/temp-archive.js';

const AT = new Date('2026-11-20T10:00:00Z');
afterAll(removeTempRoots);

/** Runs the DuckDB DDL in a fresh DuckDB, then `sql`; rows as plain JS. */
async function underDdl(ddl: string, sql: string): Promise<Record<string, unknown>[]> {
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  try {
    await con.run(`SET TimeZone = 'UTC'`);
    await con.run(ddl);
    return (await con.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
  } finally {
    con.closeSync();
    db.closeSync();
  }
}

/** One statement of `ddl`: the one that creates `table`, up to the next blank line. */
function statementOf(ddl: string, table: string): string {
  const block = ddl.split('\n\n').find((b) => new RegExp(`TABLE[^(]*[\`"]${table}[\`"] \\(`).test(b));
  if (!block) throw new Error(`no statement for ${table} in:\n${ddl}`);
  return block;
}

/** The `name TYPE` pairs between the first `(` line and the closing `)` line of a CREATE TABLE. */
function columnsOf(statement: string): [string, string][] {
  const lines = statement.split('\n');
  const start = lines.findIndex((l) => l.endsWith('('));
  const end = lines.findIndex((l, i) => i > start && l === ')');
  return lines.slice(start + 1, end).map((l) => {
    const m = /^\s+[`"](\w+)[`"] (.+?),?$/.exec(l);
    if (!m) throw new Error(`not a column line: ${l}`);
    return [m[1] as string, m[2] as string];
  });
}

describe('external tables', () => {
  it('DuckDB: the views over the glob and over the pinned files read what the catalog commits, row for row', async () => {
    await withArchive(async (a, root) => {
      const s = a.beginSnapshot('run-1');
      await s.addObservations(makeObservations(300, AT));
      await s.commit();
      const sql = (table: string) => `SELECT * EXCLUDE (date) FROM ${table} ORDER BY ALL`;
      for (const table of ['invocation_observations', 'invocations_latest', 'invocations_daily']) {
        const expected = await queryCommitted(a, `SELECT * FROM ${table} ORDER BY ALL`);
        expect(expected.length).toBeGreaterThan(0);
        for (const pin of [false, true]) {
          const ddl = externalTableDdl({ engine: 'duckdb', root, catalog: a.catalog, pin });
          expect(await underDdl(ddl, sql(table))).toEqual(expected);
        }
      }
      // A stray file in a table's folder (not a partition) is not read; the partition column is the folder's.
      await writeFile(join(root, 'invocation_observations', 'stray.parquet'), 'not ours');
      const ddl = externalTableDdl({ engine: 'duckdb', root, catalog: a.catalog });
      const dates = await underDdl(
        ddl,
        `SELECT DISTINCT date = strftime(creation_time, '%Y-%m-%d') AS same FROM invocation_observations`,
      );
      expect(dates).toEqual([{ same: true }]);
      // Tables with no file yet (runs, coverage here) are empty views with every column.
      expect(await underDdl(ddl, 'SELECT count(*)::INT AS n FROM coverage')).toEqual([{ n: 0 }]);
    });
  });

  it.each<Exclude<DdlEngine, 'duckdb'>>(['spark', 'hive', 'trino', 'maxcompute'])(
    '%s: every table with every column, its type, the date partition column and its location',
    (engine) => {
      const location =
        engine === 'maxcompute' ? 'oss://oss-cn-hangzhou-internal.aliyuncs.com/b/p' : 's3://b/p/';
      const ddl = externalTableDdl({ engine, root: '/srv/a', catalog: emptyCatalog(), location });
      const string = engine === 'trino' ? 'VARCHAR' : 'STRING';
      const types = {
        VARCHAR: string,
        TIMESTAMPTZ: engine === 'trino' ? 'TIMESTAMP(3)' : 'TIMESTAMP',
        INTEGER: engine === 'trino' ? 'INTEGER' : 'INT',
        BIGINT: 'BIGINT',
        BOOLEAN: 'BOOLEAN',
      };
      const base = location.replace(/\/$/, '');
      for (const table of TABLE_NAMES) {
        const statement = statementOf(ddl, table);
        const expected = TABLES[table].columns.map((c): [string, string] => [c.name, types[c.type]]);
        // Spark and Trino list the partition column with the others (last); Hive and MaxCompute apart.
        const inline = engine === 'spark' || engine === 'trino';
        expect(columnsOf(statement)).toEqual(inline ? [...expected, ['date', string]] : expected);
        const q = engine === 'trino' ? '"' : '`';
        const partition = {
          spark: `PARTITIONED BY (\`date\`)`,
          hive: 'PARTITIONED BY (`date` STRING)',
          maxcompute: 'PARTITIONED BY (`date` STRING)',
          trino: `partitioned_by = ARRAY['date']`,
        }[engine];
        expect(statement).toContain(partition);
        const loc = engine === 'maxcompute' ? `'${base}/${table}/'` : `'${base}/${table}'`;
        expect(statement).toContain(engine === 'trino' ? `external_location = ${loc}` : `LOCATION ${loc}`);
        expect(statement).toContain(
          engine === 'trino'
            ? `CALL system.sync_partition_metadata(schema_name => 'swas_archive', table_name => '${table}', mode => 'ADD');`
            : `MSCK REPAIR TABLE ${engine === 'maxcompute' ? '' : `${q}swas_archive${q}.`}${q}${table}${q}${engine === 'maxcompute' ? ' ADD PARTITIONS' : ''};`,
        );
      }
    },
  );

  it('a local archive is a file:// location for the engines that take URLs; MaxCompute needs OSS', () => {
    const ddl = externalTableDdl({ engine: 'hive', root: '/srv/my archive', catalog: emptyCatalog() });
    expect(ddl).toContain(`LOCATION '${pathToFileURL('/srv/my archive/runs').href}'`);
    expect(() => externalTableDdl({ engine: 'maxcompute', root: '/srv/a', catalog: emptyCatalog() })).toThrow(
      ArchiveUsageError,
    );
    expect(() =>
      externalTableDdl({ engine: 'spark', root: '/srv/a', catalog: emptyCatalog(), schema: 'x;drop' }),
    ).toThrow(/schema name/);
    expect(() =>
      externalTableDdl({ engine: 'trino', root: '/srv/a', catalog: emptyCatalog(), pin: true }),
    ).toThrow(/DuckDB only/);
  });
});
