import type { Catalog } from '@swas-archive/archive';
import { describe, expect, it } from 'vitest';
import { datasetsUnder, tablesNamedIn } from './views.js';

const withLatest = { features: ['latest-state'] } as unknown as Catalog;
const withoutLatest = { features: [] } as unknown as Catalog;

describe('the datasets a statement reads', () => {
  it('are the tables it names and those under its views, whatever the nesting; CTE names read nothing', async () => {
    const names = await tablesNamedIn(
      `WITH x AS (SELECT * FROM Gaps) SELECT count(*) FROM invocations i JOIN x USING (invoke_id)
       WHERE EXISTS (SELECT 1 FROM runs) UNION ALL SELECT 1 FROM main.invocations_daily`,
    );
    expect(names && [...names].sort()).toEqual(['gaps', 'invocations', 'invocations_daily', 'runs', 'x']);
    expect([...datasetsUnder(names ?? new Set(), withLatest)].sort()).toEqual([
      'coverage',
      'invocations_daily',
      'invocations_latest',
      'runs',
    ]);
    expect([...datasetsUnder(new Set(['invocations']), withoutLatest)]).toEqual(['invocation_observations']);
    expect([...datasetsUnder(new Set(['invocation_history', 'instances_latest']), withLatest)]).toEqual([
      'invocation_observations',
      'instances',
    ]);
  });

  it('cannot be told for a statement DuckDB cannot parse, or one that reads through a function or a file', async () => {
    expect(await tablesNamedIn('SELECT * FROM')).toBeUndefined();
    expect(await tablesNamedIn("SELECT count(*) FROM query_table('invocations')")).toBeUndefined();
    expect(await tablesNamedIn("SELECT * FROM query('SELECT * FROM runs')")).toBeUndefined();
    expect(await tablesNamedIn("SELECT * FROM read_parquet('runs/*/*.parquet')")).toBeUndefined();
    expect(await tablesNamedIn("SELECT * FROM 'runs/date=2026-11-01/part-1.parquet'")).toBeUndefined();
    expect(await tablesNamedIn('SELECT * FROM range(3) r, runs')).toEqual(new Set(['runs']));
  });
});
