import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { afterAll, describe, expect, it } from 'vitest';
import { type Catalog, openArchive, readCatalog } from './index.js';
import { stateHashesSql } from './observation-dedupe.js';
import type { CoverageRecord, InstanceObservation, RunRecord } from './records.js';
import { SCHEMA_VERSION } from './schema.js';
import { makeObservations } from './testing/fixtures.js';
import { dailyCountsVersusHistory, latestVersusHistory } from './testing/latest-check.js';
import { queryCommitted } from './testing/query-committed.js';
import { removeTempRoots, withArchive } from './testing/temp-archive.js';

const AT = new Date('2026-11-20T10:00:00Z');

/** One record of each other table, for tests that write every table. */
const INSTANCE: InstanceObservation = {
  account: 'acct-1',
  regionId: 'cn-hangzhou',
  instanceId: 'ins-1',
  instanceName: 'web-01',
  status: 'Running',
  tags: [{ key: 'env', value: 'prod' }],
  observedAt: AT,
};
const COVERAGE: CoverageRecord = {
  account: 'acct-1',
  regionId: 'cn-hangzhou',
  instanceId: 'ins-1',
  observedAt: AT,
  complete: true,
  joinedPrevious: false,
  windowStart: new Date(AT.getTime() - 86_400_000),
  windowEnd: AT,
  gapReason: 'first-run',
};
const RUN: RunRecord = {
  startedAt: AT,
  finishedAt: AT,
  outcome: 'complete',
  accounts: ['acct-1'],
  callsByAction: { DescribeInvocations: 12 },
  throttles: 0,
  retries: 1,
  recordsNew: 600,
  recordsChanged: 0,
  instancesComplete: 7,
  instancesIncomplete: 0,
  gapsFound: 0,
};
afterAll(removeTempRoots);

describe('idempotence', () => {
  it('committing the same observations again adds nothing', async () => {
    await withArchive(async (a) => {
      const obs = makeObservations(500, AT);
      for (const runId of ['run-1', 'run-2']) {
        const s = a.beginSnapshot(runId);
        await s.addObservations(obs);
        const result = await s.commit();
        expect(result.rows.invocation_observations ?? 0).toBe(runId === 'run-1' ? 500 : 0);
        expect(result.skipped).toBe(runId === 'run-1' ? 0 : 500);
        expect(result.newInvocations).toBe(runId === 'run-1' ? 500 : 0);
      }
      const [count] = await queryCommitted(
        a,
        'SELECT count(*) AS n, count(DISTINCT invoke_id) AS d FROM invocation_observations',
      );
      expect([Number(count?.n), Number(count?.d)]).toEqual([500, 500]);
    });
  });

  it('writes a new observation only when the state changed, and never two identical in a row', async () => {
    await withArchive(async (a) => {
      const first = makeObservations(100, AT);
      let s = a.beginSnapshot('run-1');
      await s.addObservations(first);
      await s.commit();
      // An hour later: the running ones finished, one gained its result; the rest are unchanged.
      const later = new Date(AT.getTime() + 3_600_000);
      const second = first.map((o) => {
        const next = { ...o, observedAt: later };
        if (o.invokeStatus === 'Running')
          Object.assign(next, { invocationStatus: 'Success', invokeStatus: 'Finished' });
        return next;
      });
      const withResult = second.find((o, i) => !o.result && first[i]?.invokeStatus === 'Finished');
      if (!withResult) throw new Error('fixture has no final invocation without a result');
      withResult.result = {
        exitCode: 0,
        output: 'late result',
        errorCode: '',
        errorInfo: '',
        invokeUser: 'root',
      };
      // The same batch twice in one snapshot, and an observation without result of one that has one.
      s = a.beginSnapshot('run-2');
      await s.addObservations(second);
      await s.addObservations(
        second.map((o) => ({ ...o, observedAt: new Date(later.getTime() + 1000), result: undefined })),
      );
      const result = await s.commit();
      const changed = first.filter((o) => o.invokeStatus === 'Running').length + 1;
      expect(result.rows.invocation_observations).toBe(changed);
      expect([result.newInvocations, result.changedInvocations]).toEqual([0, changed]);
      const history = await queryCommitted(
        a,
        `SELECT invoke_id, listing_hash, result_hash,
        lag(listing_hash) OVER w AS prev_l, lag(result_hash) OVER w AS prev_r
        FROM (SELECT invoke_id, observed_at, ${stateHashesSql(SCHEMA_VERSION)} FROM invocation_observations)
        WINDOW w AS (PARTITION BY invoke_id ORDER BY observed_at)`,
      );
      expect(
        history.filter((h) => h.prev_l === h.listing_hash && (h.result_hash ?? null) === (h.prev_r ?? null)),
      ).toEqual([]);
      const [latest] = await queryCommitted(
        a,
        `SELECT arg_max(output, observed_at) AS output FROM invocation_observations WHERE invoke_id = '${withResult.invokeId}'`,
      );
      expect(latest?.output).toBe('late result');
    });
  });
});

describe('open format', () => {
  it('every file reads in hyparquet (pure JS) with the rows DuckDB sees', async () => {
    await withArchive(async (a, root) => {
      const s = a.beginSnapshot('run-1');
      await s.addObservations(makeObservations(600, AT));
      await s.addInstances([INSTANCE]);
      await s.addCoverage([COVERAGE]);
      await s.setRun(RUN);
      await s.commit();
      expect(new Set(a.catalog.files.map((f) => f.table))).toEqual(
        new Set([
          'invocation_observations',
          'invocations_latest',
          'invocations_daily',
          'instances',
          'coverage',
          'runs',
        ]),
      );
      for (const file of a.catalog.files) {
        const bytes = await readFile(join(root, file.path));
        const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
        const metadata = await parquetMetadataAsync(buffer);
        const rows = (await parquetReadObjects({ file: buffer, compressors, metadata })) as Record<
          string,
          unknown
        >[];
        expect(rows.length).toBe(file.rows);
        if (file.table !== 'invocation_observations') continue;
        const duck = await queryCommitted(
          a,
          `SELECT invoke_id, creation_time, command_content, parameters, output, output_base64, exit_code
          FROM read_parquet('${join(root, file.path)}') ORDER BY invoke_id, observed_at`,
        );
        const js = rows
          .map((r) => ({
            invoke_id: r.invoke_id,
            creation_time: r.creation_time,
            command_content: r.command_content,
            parameters: r.parameters,
            output: r.output ?? null,
            output_base64: r.output_base64 ?? null,
            exit_code: r.exit_code ?? null,
          }))
          .sort((x, y) => String(x.invoke_id).localeCompare(String(y.invoke_id)));
        expect(js).toEqual(duck.map((d) => ({ ...d, creation_time: new Date(String(d.creation_time)) })));
      }
      // Timestamps are UTC instants in the file, not local wall times.
      const schema = await queryCommitted(
        a,
        `SELECT name, logical_type FROM parquet_schema('${join(root, a.catalog.files.find((f) => f.table === 'invocation_observations')?.path ?? '')}') WHERE name = 'creation_time'`,
      );
      expect(String(schema[0]?.logical_type)).toMatch(/isAdjustedToUTC=1|isAdjustedToUTC=true/i);
    });
  });

  it('files written before a column was added still read, the column as NULL', async () => {
    await withArchive(
      async (a, root) => {
        const s = a.beginSnapshot('run-old');
        await s.addObservations(makeObservations(200, AT, { prefix: 'old-' }));
        await s.commit();
        const oldFiles = (await readCatalog(root)).files;
        const observed = oldFiles.filter((f) => f.table === 'invocation_observations');
        expect(observed.every((f) => f.schemaVersion === 1)).toBe(true);
        const cols = await queryCommitted(
          a,
          `SELECT name FROM parquet_schema('${join(root, observed[0]?.path ?? '')}')`,
        );
        expect(cols.map((c) => c.name)).not.toContain('output_base64');
        return root;
      },
      { schemaVersion: 1 },
    ).then(async (root) => {
      const a = await openArchive({ root });
      try {
        const s = a.beginSnapshot('run-new');
        await s.addObservations(makeObservations(200, AT, { prefix: 'new-' }));
        await s.commit();
        const rows = await queryCommitted(
          a,
          `SELECT substr(invoke_id, 1, 3) AS gen, count(*) AS n, count(output_base64) AS raw FROM invocation_observations GROUP BY 1 ORDER BY 1`,
        );
        expect(rows.map((r) => [r.gen, Number(r.n), Number(r.raw)])).toEqual([
          ['new', 200, makeObservations(200, AT).filter((o) => o.result?.outputBase64).length],
          ['old', 200, 0],
        ]);
        expect(a.catalog.schemaVersion).toBe(SCHEMA_VERSION);
      } finally {
        await a.close();
      }
    });
  });
});

describe('the latest-state dataset', () => {
  it('is built from the history when an archive written before it existed is opened', async () => {
    const root = await withArchive(async (a, r) => {
      for (const [run, at] of [
        ['run-1', AT],
        ['run-2', new Date(AT.getTime() + 3_600_000)],
      ] as const) {
        const s = a.beginSnapshot(run);
        await s.addObservations(
          makeObservations(300, AT).map((o) => ({
            ...o,
            observedAt: at,
            invocationStatus: run === 'run-2' ? 'Success' : o.invocationStatus,
          })),
        );
        await s.commit();
      }
      return r;
    });
    // As an older version left it: no latest-state files, no feature.
    const catalogPath = join(root, 'catalog.json');
    const catalog = JSON.parse(await readFile(catalogPath, 'utf8')) as Catalog;
    for (const f of catalog.files.filter((x) => x.table === 'invocations_latest'))
      await rm(join(root, f.path));
    await writeFile(
      catalogPath,
      JSON.stringify({
        ...catalog,
        features: undefined,
        files: catalog.files.filter((x) => x.table !== 'invocations_latest'),
      }),
    );
    const a = await openArchive({ root });
    try {
      expect(a.catalog.features).toContain('latest-state');
      expect(a.catalog.snapshots.at(-1)?.kind).toBe('upgrade');
      expect(await latestVersusHistory(a)).toEqual([]);
      expect(await dailyCountsVersusHistory(a)).toEqual([]);
      const [row] = await queryCommitted(a, 'SELECT count(*)::INTEGER AS n FROM invocations_latest');
      expect(row).toEqual({ n: 300 });
      expect((await a.verify()).ok).toBe(true);
    } finally {
      await a.close();
    }
  });
});
