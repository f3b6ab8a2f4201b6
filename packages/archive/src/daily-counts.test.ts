import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type Catalog, openArchive } from './index.js';
import { makeObservations } from './testing/fixtures.js';
import { dailyCountsVersusHistory, latestVersusHistory } from './testing/latest-check.js';
import { queryCommitted } from './testing/query-committed.js';
import { removeTempRoots, withArchive } from './testing/temp-archive.js';

const AT = new Date('2026-11-03T10:00:00Z');
const HOUR = 3_600_000;
afterAll(removeTempRoots);

const dailyPartitions = (catalog: Catalog) =>
  catalog.files
    .filter((f) => f.table === 'invocations_daily')
    .map((f) => f.partition.date)
    .sort();

describe('the daily counts', () => {
  it('count every invocation by its latest state, per day, through commits that change part of a month', async () => {
    await withArchive(async (a) => {
      // Twenty days over two months, one in eleven still running.
      const first = makeObservations(600, AT, { days: 20 });
      const s1 = a.beginSnapshot('run-1');
      await s1.addObservations(first);
      const r1 = await s1.commit();
      expect(r1.rows.invocations_daily).toBeGreaterThan(0);
      expect(await dailyCountsVersusHistory(a)).toEqual([]);
      expect(dailyPartitions(a.catalog)).toEqual(['2026-10-01', '2026-11-01']);
      // One October day seen again: its running invocations ended, some failed; the other days stay.
      const day = '2026-10-25';
      const again = first
        .filter((o) => o.creationTime.toISOString().startsWith(day))
        .map((o, i) => ({
          ...o,
          invocationStatus: i % 2 ? 'Failed' : 'Success',
          invokeStatus: i % 2 ? 'Failed' : 'Finished',
          observedAt: new Date(AT.getTime() + HOUR),
        }));
      expect(again.length).toBeGreaterThan(10);
      const s2 = a.beginSnapshot('run-2');
      await s2.addObservations(again);
      await s2.commit();
      expect(await latestVersusHistory(a)).toEqual([]);
      expect(await dailyCountsVersusHistory(a)).toEqual([]);
      // The month's file was replaced, not added to: every invocation is counted once.
      expect(dailyPartitions(a.catalog)).toEqual(['2026-10-01', '2026-11-01']);
      const rows = await queryCommitted(
        a,
        `SELECT strftime(day, '%Y-%m-%d') AS day, sum(invocations)::INTEGER AS n,
           sum(invocations) FILTER (WHERE invocation_status = 'Failed')::INTEGER AS failed
         FROM invocations_daily GROUP BY 1 ORDER BY 1`,
      );
      expect(rows.reduce((n, r) => n + Number(r.n), 0)).toBe(600);
      expect(rows.length).toBe(21);
      const [latest] = await queryCommitted(
        a,
        `SELECT count(*) FILTER (WHERE invocation_status = 'Failed')::INTEGER AS failed FROM invocations_latest
         WHERE strftime(creation_time, '%Y-%m-%d') = '${day}'`,
      );
      expect(rows.find((r) => r.day === day)?.failed).toBe(latest?.failed);
      expect((await a.verify()).ok).toBe(true);
    });
  });

  it('are built when an archive written before them is opened, from its latest state or its history', async () => {
    for (const strip of ['invocations_daily', 'invocations_latest'] as const) {
      const root = await withArchive(async (a, r) => {
        const s = a.beginSnapshot('run-1');
        await s.addObservations(makeObservations(400, AT, { days: 40 }));
        await s.commit();
        return r;
      });
      // As an older version left it: without the daily counts (and, older still, without the latest state).
      const catalogPath = join(root, 'catalog.json');
      const catalog = JSON.parse(await readFile(catalogPath, 'utf8')) as Catalog;
      const gone = (table: string) =>
        table === 'invocations_daily' || (strip === 'invocations_latest' && table === 'invocations_latest');
      for (const f of catalog.files.filter((x) => gone(x.table))) await rm(join(root, f.path));
      const features = strip === 'invocations_daily' ? ['latest-state'] : undefined;
      await writeFile(
        catalogPath,
        JSON.stringify({ ...catalog, features, files: catalog.files.filter((x) => !gone(x.table)) }),
      );
      const a = await openArchive({ root });
      try {
        expect(a.catalog.features).toEqual(['latest-state', 'daily-counts']);
        const upgrades = a.catalog.snapshots.filter((x) => x.kind === 'upgrade');
        expect(upgrades.length, strip).toBe(strip === 'invocations_daily' ? 1 : 2);
        expect(await latestVersusHistory(a)).toEqual([]);
        expect(await dailyCountsVersusHistory(a)).toEqual([]);
        expect(dailyPartitions(a.catalog)).toEqual(['2026-09-01', '2026-10-01', '2026-11-01']);
        expect((await a.verify()).ok).toBe(true);
      } finally {
        await a.close();
      }
    }
  });
});
