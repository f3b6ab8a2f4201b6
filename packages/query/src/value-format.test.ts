import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QuerySession } from './query-session.js';
import { cellText } from './value-format.js';

let root: string;
let session: QuerySession;

beforeAll(async () => {
  // A folder without a catalog is an empty archive: enough to ask DuckDB for values.
  root = await mkdtemp(join(tmpdir(), 'swas-values-'));
  session = await QuerySession.open(root);
});

afterAll(async () => {
  session.close();
  await rm(root, { recursive: true, force: true });
});

async function value(expression: string): Promise<unknown> {
  const { rows } = await session.run(`SELECT ${expression} AS v`);
  return rows[0]?.v;
}

describe('values as users read them', () => {
  it.each([
    ["DATE '2026-11-14'", '2026-11-14'],
    ["TIME '10:00:00'", '10:00:00'],
    ["TIME '10:00:00.25'", '10:00:00.25'],
    ["TIMETZ '10:00:00+02'", '10:00:00+02'],
    ["TIMESTAMPTZ '2026-11-14 10:00:00+00'", '2026-11-14T10:00:00.000Z'],
    ["TIMESTAMPTZ '2026-11-14 12:00:00+02'", '2026-11-14T10:00:00.000Z'],
    ["TIMESTAMP '2026-11-14 10:00:00.123456'", '2026-11-14T10:00:00.123456Z'],
    ["TIMESTAMP_MS '2026-11-14 10:00:00.123'", '2026-11-14T10:00:00.123Z'],
    ["TIMESTAMP_S '2026-11-14 10:00:00'", '2026-11-14T10:00:00.000Z'],
    ["TIMESTAMP_NS '2026-11-14 10:00:00.123456789'", '2026-11-14T10:00:00.123456789Z'],
    ["TIMESTAMP '1969-12-31 23:59:59.999999'", '1969-12-31T23:59:59.999999Z'],
    ["'infinity'::TIMESTAMP", 'infinity'],
    ['INTERVAL 90 MINUTE', '01:30:00'],
    ["INTERVAL '1 month 2 days 3 hours'", '1 month 2 days 03:00:00'],
    ["'x'::BLOB", 'eA=='],
    ["'\\x00\\xFF'::BLOB", 'AP8='],
    ['42::BIGINT', 42],
    ['9007199254740991::BIGINT', 9007199254740991],
    ['9007199254740993::BIGINT', '9007199254740993'],
    ['-9007199254740993::BIGINT', '-9007199254740993'],
    ['12345678901234567890::HUGEINT', '12345678901234567890'],
    ['18446744073709551615::UBIGINT', '18446744073709551615'],
    ['1.50::DECIMAL(10,2)', '1.50'],
    ['123456789012345678.901::DECIMAL(38,3)', '123456789012345678.901'],
    ['1.5::DOUBLE', 1.5],
    ["'NaN'::DOUBLE", 'NaN'],
    ["'-inf'::DOUBLE", '-Infinity'],
    ['7::TINYINT', 7],
    ['true', true],
    ['NULL', null],
    ['\'a,"b"\'', 'a,"b"'],
    ['[1, 2, NULL]', [1, 2, null]],
    ["[DATE '2026-11-14']", ['2026-11-14']],
    ["{'a': 1, 'b': TIMESTAMPTZ '2026-11-14 10:00:00+00'}", { a: 1, b: '2026-11-14T10:00:00.000Z' }],
    ["MAP {'k': 2, 'j': 3}", { k: 2, j: 3 }],
    ['[1, 2]::INTEGER[2]', [1, 2]],
    ["'00000000-0000-0000-0000-000000000001'::UUID", '00000000-0000-0000-0000-000000000001'],
  ])('%s', async (expression, expected) => {
    expect(await value(expression)).toEqual(expected);
  });

  it('writes a cell as text: null empty, objects as JSON', () => {
    expect(cellText(null)).toBe('');
    expect(cellText(false)).toBe('false');
    expect(cellText(1.5)).toBe('1.5');
    expect(cellText('x')).toBe('x');
    expect(cellText({ a: [1, 'b'] })).toBe('{"a":[1,"b"]}');
  });

  it('gives each column a kind for typed writers', async () => {
    const result = await session.stream(
      `SELECT 1 AS i, 2::BIGINT AS b, 1.5 AS d, 1.5::DOUBLE AS f, DATE '2026-11-14' AS dt, TIME '10:00:00' AS t,
        now() AS ts, 'x'::BLOB AS bl, [1] AS l, 'x' AS s, true AS ok, INTERVAL 1 DAY AS iv, 1 AS i`,
    );
    for await (const _ of result) {
      // read to the end
    }
    expect(result.columns.map((c) => [c.name, c.kind])).toEqual([
      ['i', 'int32'],
      ['b', 'int64'],
      ['d', 'text'],
      ['f', 'float64'],
      ['dt', 'date'],
      ['t', 'time'],
      ['ts', 'timestamp'],
      ['bl', 'blob'],
      ['l', 'json'],
      ['s', 'text'],
      ['ok', 'boolean'],
      ['iv', 'text'],
      ['i:1', 'int32'],
    ]);
    expect(result.columns[6]?.sqlType).toBe('TIMESTAMP WITH TIME ZONE');
  });
});
