import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { access, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { startEmulator } from '@swas-archive/emulator';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crawlOnce } from './helpers/harness.js';
import { CLI_BIN, runCli } from './helpers/run-cli.js';

let root: string;
let outside: string;
let observations: number;

/** The built CLI's `query` over the test archive. */
const query = (sql: string, ...flags: string[]) => runCli(['query', '--data', root, ...flags, sql]);

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'swas-query-cli-'));
  outside = await mkdtemp(join(tmpdir(), 'swas-outside-'));
  const emu = await startEmulator({
    seed: 5,
    clock: { start: '2026-06-01T00:00:00Z', speed: 0 },
    fleet: { regions: 1, instancesPerRegion: 2, invocations: 120 },
  });
  try {
    const report = await crawlOnce(emu, root);
    observations = report.recordsNew;
  } finally {
    await emu.close();
  }
  // A real Parquet file outside the archive, to show that existing is not enough to be read.
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  await con.run(`COPY (SELECT 42 AS secret) TO '${join(outside, 'elsewhere.parquet')}' (FORMAT parquet)`);
  con.closeSync();
  db.closeSync();
}, 60_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
  await rm(outside, { recursive: true, force: true });
});

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

describe('query is read-only and reads only the archive', () => {
  it('refuses, with exit 2 and nothing on stdout, what would write, load code or read elsewhere', async () => {
    // Every kind is checked in packages/query (query-session.test.ts); here, that the command line says so.
    const cases: [string, RegExp][] = [
      [
        `COPY (SELECT * FROM invocations) TO '${root}/x.csv'`,
        /COPY statements are refused: query is read-only/,
      ],
      ["SELECT * FROM read_csv('/etc/passwd')", /reaches outside the archive .*\/etc\/passwd/],
      [
        `SELECT * FROM read_parquet('${outside}/elsewhere.parquet')`,
        /reaches outside the archive .*elsewhere/,
      ],
      [`ATTACH '${root}/x.duckdb' AS x`, /ATTACH statements are refused/],
      ['INSTALL httpfs', /INSTALL and LOAD statements are refused/],
      [`SELECT 1; COPY (SELECT 1) TO '${root}/y.csv'`, /one statement at a time: the SQL holds 2 statements/],
      ['', /the SQL is empty/],
    ];
    const results = await Promise.all(cases.map(([sql]) => query(sql)));
    cases.forEach(([sql, message], i) => {
      const r = results[i];
      expect([sql, r?.code, r?.stdout]).toEqual([sql, 2, '']);
      expect(r?.stderr, sql).toMatch(message);
    });
    for (const name of ['x.csv', 'y.csv', 'x.duckdb'])
      expect(await exists(join(root, name)), name).toBe(false);
  });

  it('reads the archive through its views, tables and its own files', async () => {
    const r = await query(
      `SELECT (SELECT count(*) FROM read_parquet('${root}/invocation_observations/**/*.parquet')) AS files,
        (SELECT count(*) FROM invocation_history) AS history, (SELECT count(*) FROM invocations) AS latest`,
      '--format',
      'json',
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([
      { files: observations, history: observations, latest: observations },
    ]);
  });

  it('says what is wrong with SQL that cannot run (exit 2), and with a parameter it has no value for', async () => {
    const bad = await query('SELECT nope FROM invocations');
    expect([bad.code, bad.stdout]).toEqual([2, '']);
    expect(bad.stderr).toMatch(/the query failed: Binder Error: Referenced column "nope" not found/);
    const param = await query('SELECT $1');
    expect(param.code).toBe(2);
    expect(param.stderr).toMatch(/parameter \$1 but no value/);
  });
});

/** One value of each kind of type, and NULL. */
const TYPES_SQL = `SELECT DATE '2026-11-14' AS d, TIME '10:00:00' AS t, TIMESTAMPTZ '2026-11-14 10:00:00.5+00' AS ts,
  INTERVAL 90 MINUTE AS i, 'x'::BLOB AS b, 42::BIGINT AS n, 9007199254740993::BIGINT AS big,
  12345678901234567890::HUGEINT AS huge, 1.50::DECIMAL(10,2) AS dec, 0.25::DOUBLE AS f, true AS ok,
  'a,"b"' AS s, [1, 2] AS l, {'k': DATE '2026-01-02'} AS st, MAP {'m': 1} AS mp, NULL::VARCHAR AS nul`;

describe('values as users read them, in every format', () => {
  it('csv', async () => {
    const r = await query(TYPES_SQL, '--format', 'csv');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      'd,t,ts,i,b,n,big,huge,dec,f,ok,s,l,st,mp,nul\n' +
        '2026-11-14,10:00:00,2026-11-14T10:00:00.500Z,01:30:00,eA==,42,9007199254740993,12345678901234567890,1.50,0.25,true,"a,""b""","[1,2]","{""k"":""2026-01-02""}","{""m"":1}",\n',
    );
  });

  const row = {
    d: '2026-11-14',
    t: '10:00:00',
    ts: '2026-11-14T10:00:00.500Z',
    i: '01:30:00',
    b: 'eA==',
    n: 42,
    big: '9007199254740993',
    huge: '12345678901234567890',
    dec: '1.50',
    f: 0.25,
    ok: true,
    s: 'a,"b"',
    l: [1, 2],
    st: { k: '2026-01-02' },
    mp: { m: 1 },
    nul: null,
  };

  it('json (one array) and jsonl (one object a line)', async () => {
    const json = await query(TYPES_SQL, '--format', 'json');
    expect(JSON.parse(json.stdout)).toEqual([row]);
    const jsonl = await query(`${TYPES_SQL} UNION ALL ${TYPES_SQL}`, '--format', 'jsonl');
    expect(
      jsonl.stdout
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual([row, row]);
  });

  it('table', async () => {
    const r = await query(TYPES_SQL);
    expect(r.code).toBe(0);
    for (const cell of ['2026-11-14', '10:00:00', '2026-11-14T10:00:00.500Z', '01:30:00', 'eA==', '[1,2]'])
      expect(r.stdout).toContain(` ${cell} `);
    expect(r.stdout).toMatch(/\(1 row\)\n$/);
  });

  it('arrow: an IPC stream with matching types that apache-arrow reads back', async () => {
    const r = await runArrow(TYPES_SQL);
    const table = tableFromIPC(r);
    expect(table.schema.fields.map((f) => `${f.name}:${f.type}`)).toEqual([
      'd:Date32<DAY>',
      't:Time64<MICROSECOND>',
      'ts:Timestamp<MICROSECOND, UTC>',
      'i:Utf8',
      'b:Binary',
      'n:Int64',
      'big:Int64',
      'huge:Utf8',
      'dec:Utf8',
      'f:Float64',
      'ok:Bool',
      's:Utf8',
      'l:Utf8',
      'st:Utf8',
      'mp:Utf8',
      'nul:Utf8',
    ]);
    const got = table.get(0)?.toJSON() as Record<string, unknown>;
    expect(got).toEqual({
      d: Date.parse('2026-11-14'),
      t: 36_000_000_000n,
      ts: Date.parse('2026-11-14T10:00:00.500Z'),
      i: '01:30:00',
      b: new Uint8Array([120]),
      n: 42n,
      big: 9007199254740993n,
      huge: '12345678901234567890',
      dec: '1.50',
      f: 0.25,
      ok: true,
      s: 'a,"b"',
      l: '[1,2]',
      st: '{"k":"2026-01-02"}',
      mp: '{"m":1}',
      nul: null,
    });
  });
});

describe('results of any size stream out', () => {
  const MANY = `SELECT range AS i, 'row ' || range AS s FROM range(5000) ORDER BY i`;

  it('table shows the first 1,000 rows and says how to get all 5,000', async () => {
    const r = await query(MANY);
    expect(r.stdout).toContain('│ 999 ');
    expect(r.stdout).not.toContain('│ 1000 ');
    expect(r.stdout).toMatch(
      /\(5,000 rows: the first 1,000 shown, 4,000 more not; --format csv, json, jsonl or arrow prints every row\)\n$/,
    );
  });

  it('every other format carries every row, arrow in one batch per chunk', async () => {
    const json = JSON.parse((await query(MANY, '--format', 'json')).stdout) as { i: number }[];
    expect(json.map((r) => r.i)).toEqual([...Array(5000).keys()]);
    const csv = (await query(MANY, '--format', 'csv')).stdout.trimEnd().split('\n');
    expect(csv).toHaveLength(5001);
    expect(csv[5000]).toBe('4999,row 4999');
    const table = tableFromIPC(await runArrow(MANY));
    expect(table.numRows).toBe(5000);
    expect(table.batches.length).toBeGreaterThan(1);
    expect(table.getChild('s')?.get(4999)).toBe('row 4999');
    const empty = tableFromIPC(await runArrow('SELECT 1 AS x WHERE false'));
    expect([empty.numRows, empty.schema.fields.map((f) => f.name)]).toEqual([0, ['x']]);
    expect((await query('SELECT 1 AS x WHERE false', '--format', 'json')).stdout).toBe('[]\n');
  });

  it('stops quietly when the reader goes away (| head), and leaves no spill folder behind', async () => {
    const child = spawn(
      process.execPath,
      [CLI_BIN, 'query', '--data', root, '--format', 'csv', 'SELECT * FROM range(3000000)'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { PATH: process.env.PATH, HOME: '/nonexistent' },
      },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.stdout.once('data', () => child.stdout.destroy());
    const [code] = (await once(child, 'exit')) as [number];
    expect([code, stderr]).toEqual([0, '']);
    const spills = (await readdir(tmpdir())).filter((n) => n.startsWith(`swas-archive-query-${child.pid}-`));
    expect(spills).toEqual([]);
  });
});

/** The raw bytes of `query --format arrow` (runCli decodes stdout as text). */
async function runArrow(sql: string): Promise<Uint8Array> {
  const child = spawn(process.execPath, [CLI_BIN, 'query', '--data', root, '--format', 'arrow', sql], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { PATH: process.env.PATH, HOME: '/nonexistent' },
  });
  const parts: Buffer[] = [];
  child.stdout.on('data', (d: Buffer) => parts.push(d));
  const [code] = (await once(child, 'exit')) as [number];
  expect(code).toBe(0);
  return new Uint8Array(Buffer.concat(parts));
}
