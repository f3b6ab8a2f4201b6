import { access, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueryError, QueryRefusedError } from './errors.js';
import { QuerySession } from './query-session.js';

let root: string;
let outside: string;
let session: QuerySession;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'swas-session-'));
  outside = await mkdtemp(join(tmpdir(), 'swas-outside-'));
  // A file inside the archive's folder (read by path; no dataset of its own, so no catalog is needed) and one elsewhere.
  await mkdir(join(root, 'scratch', 'date=2026-11-14'), { recursive: true });
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  await con.run(
    `COPY (SELECT range AS n FROM range(7)) TO '${join(root, 'scratch', 'date=2026-11-14', 'a.parquet')}' (FORMAT parquet)`,
  );
  await con.run(`COPY (SELECT 42 AS secret) TO '${join(outside, 'elsewhere.parquet')}' (FORMAT parquet)`);
  con.closeSync();
  db.closeSync();
  session = await QuerySession.open(root);
});

afterAll(async () => {
  session.close();
  await rm(root, { recursive: true, force: true });
  await rm(outside, { recursive: true, force: true });
});

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

async function refusal(sql: string): Promise<QueryRefusedError> {
  try {
    await session.run(sql);
  } catch (error) {
    if (error instanceof QueryRefusedError) return error;
    throw error;
  }
  throw new Error(`not refused: ${sql}`);
}

describe('a session runs one SELECT over the archive and nothing else', () => {
  it.each([
    [`COPY (SELECT 1) TO '${'<outside>'}/x.csv'`, 'COPY'],
    [`COPY (SELECT 1) TO '<root>/x.csv'`, 'COPY'],
    [`EXPORT DATABASE '<root>/exp'`, 'EXPORT'],
    [`ATTACH '<root>/x.duckdb' AS x`, 'ATTACH'],
    ['DETACH memory', 'DETACH'],
    ['CREATE TABLE t AS SELECT 1', 'CREATE'],
    ['CREATE OR REPLACE VIEW invocations AS SELECT 1', 'CREATE'],
    ['INSERT INTO invocations VALUES (1)', 'INSERT'],
    ['DROP VIEW invocations', 'DROP'],
    ['SET threads = 8', 'SET'],
    ["SET allowed_directories = ['/']", 'SET'],
    ['RESET lock_configuration', 'RESET'],
    ['PRAGMA enable_profiling', 'PRAGMA'],
    ['INSTALL httpfs', 'INSTALL'],
    ['LOAD httpfs', 'LOAD'],
    ['CALL duckdb_settings()', 'CALL'],
    ['EXPLAIN ANALYZE SELECT 1', 'EXPLAIN'],
    ['CHECKPOINT', 'CHECKPOINT'],
    ['BEGIN TRANSACTION', 'BEGIN'],
  ])('refuses %s (%s) before binding it', async (template, kind) => {
    const sql = template.replace('<root>', root).replace('<outside>', outside);
    const error = await refusal(sql);
    expect(error.code).toBe('query.refused');
    expect(error.refused).toBe(kind);
    expect(error.message).toMatch(/statements are refused: query is read-only/);
  });

  it('creates nothing for what it refused', async () => {
    expect((await readdir(root)).sort()).toEqual(['scratch']);
    expect((await readdir(outside)).sort()).toEqual(['elsewhere.parquet']);
    expect(await exists(join(outside, 'x.csv'))).toBe(false);
  });

  it.each([
    "SELECT * FROM read_csv('/etc/passwd')",
    "SELECT * FROM read_text('/etc/passwd')",
    "SELECT * FROM read_blob('/etc/passwd')",
    "SELECT * FROM glob('/etc/*')",
    "SELECT * FROM read_parquet('<outside>/elsewhere.parquet')",
    "SELECT * FROM read_parquet('<root>/../<outside-name>/elsewhere.parquet')",
    "SELECT * FROM read_csv('https://example.com/x.csv')",
    "SELECT * FROM query('SELECT * FROM read_csv(''/etc/passwd'')')",
  ])('refuses a read outside the archive: %s', async (template) => {
    const sql = template
      .replace('<root>', root)
      .replace('<outside-name>', outside.split('/').pop() ?? '')
      .replace('<outside>', outside);
    const error = await refusal(sql);
    expect(error.refused).toBe('outside-archive');
    expect(error.message).toMatch(/reaches outside the archive .*: query reads only the archive at /);
  });

  it('refuses several statements and empty SQL, saying which', async () => {
    expect((await refusal('SELECT 1; SELECT 2')).message).toMatch(
      /^one statement at a time: the SQL holds 2/,
    );
    expect((await refusal(`SELECT 1; COPY (SELECT 1) TO '${root}/y.csv'`)).refused).toBe('several');
    expect(await exists(join(root, 'y.csv'))).toBe(false);
    for (const empty of ['', '   ', ';', '-- nothing\n', '/* nothing */ ;;'])
      expect((await refusal(empty)).message).toMatch(/^the SQL is empty/);
  });

  it('runs SELECT in its forms, and reads the archive through its own files', async () => {
    const forms = [
      'SELECT 1 AS x',
      'FROM (SELECT 1 AS x)',
      'VALUES (1)',
      'WITH a AS (SELECT 1 AS x) SELECT * FROM a',
      'DESCRIBE invocations',
      'SHOW TABLES',
      'SUMMARIZE SELECT 1 AS x',
      'SELECT 1; ',
    ];
    for (const sql of forms) expect((await session.run(sql)).rows.length, sql).toBeGreaterThan(0);
    const { rows } = await session.run(
      `SELECT sum(n) AS total FROM read_parquet('${root}/scratch/**/*.parquet')`,
    );
    expect(rows).toEqual([{ total: 21 }]);
  });

  it('keeps its settings locked: nothing a query does turns them back', async () => {
    const { rows } = await session.run(
      `SELECT current_setting('enable_external_access') AS external, current_setting('lock_configuration') AS locked,
        current_setting('autoload_known_extensions') AS autoload, current_setting('autoinstall_known_extensions') AS autoinstall,
        current_setting('allowed_directories') AS allowed`,
    );
    expect(rows[0]).toMatchObject({ external: false, locked: true, autoload: false, autoinstall: false });
    expect(rows[0]?.allowed).toContain(`${root}/`);
  });

  it('says what is wrong with SQL that cannot run', async () => {
    await expect(session.run('SELEC 1')).rejects.toThrow(QueryError);
    await expect(session.run('SELEC 1')).rejects.toThrow(/syntax error at or near "SELEC"/);
    await expect(session.run('SELECT nope FROM invocations')).rejects.toThrow(
      /Referenced column "nope" not found/,
    );
    await expect(session.run('SELECT $x')).rejects.toThrow(/parameter \$x but no value/);
  });

  it('binds parameters: a value is never SQL', async () => {
    const hostile = "x' OR '1'='1";
    const { rows } = await session.run('SELECT $v AS v, $v = $w AS same, len($list) AS n', {
      v: hostile,
      w: 'x',
      list: [hostile, "'); DROP VIEW invocations; --"],
    });
    expect(rows).toEqual([{ v: hostile, same: false, n: 2 }]);
  });
});
