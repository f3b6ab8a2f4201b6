import { afterAll, describe, expect, it } from 'vitest';
import { makeObservations } from './testing/fixtures.js';
import { dailyCountsVersusHistory, latestVersusHistory } from './testing/latest-check.js';
import { queryCommitted } from './testing/query-committed.js';
import { removeTempRoots, withArchive } from './testing/temp-archive.js';

afterAll(removeTempRoots);

const AT = new Date('2026-11-01T00:00:00Z');

describe('a snapshot of any size commits within the memory limit', () => {
  it('one million observations over 180 days, at the default 128 MB limit', async () => {
    await withArchive(async (archive) => {
      const snapshot = archive.beginSnapshot('big');
      // Made a batch at a time, as a crawl hands them over: the test holds one batch, not a million.
      for (let i = 0; i < 1_000_000; i += 50_000)
        await snapshot.addObservations(makeObservations(50_000, AT, { days: 180, prefix: `b${i}-` }));
      const result = await snapshot.commit();
      expect(result.rows.invocation_observations).toBe(1_000_000);
      const [row] = await queryCommitted(
        archive,
        `SELECT count(*)::INTEGER AS n, count(DISTINCT invoke_id)::INTEGER AS ids,
           count(DISTINCT strftime(creation_time, '%Y-%m-%d'))::INTEGER AS days FROM invocation_observations`,
      );
      expect(row).toEqual({ n: 1_000_000, ids: 1_000_000, days: 180 });
      expect((await archive.verify()).ok).toBe(true);
    });
  }, 180_000);

  it('a partition larger than the write budget is split into sorted files, every row once', async () => {
    // 128 MB of memory makes a write budget of about 42 MB: each of these 3 days holds more than that.
    await withArchive(async (archive) => {
      const snapshot = archive.beginSnapshot('wide');
      for (let i = 0; i < 150_000; i += 25_000) {
        const batch = makeObservations(25_000, AT, { days: 3, prefix: `w${i}-` });
        for (const o of batch) o.commandContent = `${o.commandContent}\n${'#'.repeat(1200)}`;
        await snapshot.addObservations(batch);
      }
      const result = await snapshot.commit();
      expect(result.rows.invocation_observations).toBe(150_000);
      const files = archive.catalog.files.filter((f) => f.table === 'invocation_observations');
      expect(files.length).toBeGreaterThan(3);
      const [row] = await queryCommitted(
        archive,
        'SELECT count(*)::INTEGER AS n, count(DISTINCT invoke_id)::INTEGER AS ids FROM invocation_observations',
      );
      expect(row).toEqual({ n: 150_000, ids: 150_000 });
      // Seen again, every other one finished: the latest state of days larger than the budget, in slices.
      const again = archive.beginSnapshot('wide-2');
      for (let i = 0; i < 150_000; i += 25_000) {
        const batch = makeObservations(25_000, AT, { days: 3, prefix: `w${i}-` }).filter(
          (_, n) => n % 2 === 0,
        );
        for (const o of batch) {
          o.commandContent = `${o.commandContent}\n${'#'.repeat(1200)}`;
          o.invocationStatus = 'Success';
          o.invokeStatus = 'Finished';
          o.observedAt = new Date(AT.getTime() + 3_600_000);
        }
        await again.addObservations(batch);
      }
      await again.commit();
      expect(await latestVersusHistory(archive)).toEqual([]);
      expect(await dailyCountsVersusHistory(archive)).toEqual([]);
      const [latest] = await queryCommitted(archive, 'SELECT count(*)::INTEGER AS n FROM invocations_latest');
      expect(latest).toEqual({ n: 150_000 });
    });
  }, 120_000);
});
