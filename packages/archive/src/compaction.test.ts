import { afterAll, describe, expect, it } from 'vitest';
import type { Archive } from './archive.js';
import { makeObservations } from './testing/fixtures.js';
import { queryCommitted } from './testing/query-committed.js';
import { removeTempRoots, withArchive } from './testing/temp-archive.js';

const AT = new Date('2026-11-20T10:00:00Z');
afterAll(removeTempRoots);

const ORDER = 'ORDER BY invoke_id, observed_at';
const rowsOf = (a: Archive, where = '') =>
  queryCommitted(a, `SELECT * EXCLUDE (run_id) FROM invocation_observations ${where} ${ORDER}`);

describe('compaction', () => {
  it('merges each partition into one file and keeps exactly the same rows', async () => {
    await withArchive(async (a) => {
      for (let run = 0; run < 4; run++) {
        const s = a.beginSnapshot(`run-${run}`);
        await s.addObservations(
          makeObservations(300, new Date(AT.getTime() + run * 60_000), { prefix: `r${run}-` }),
        );
        await s.commit();
      }
      const before = await rowsOf(a);
      const filesBefore = a.catalog.files.length;
      const result = await a.compact();
      expect(result.rows).toBe(1200);
      expect(result.filesBefore).toBe(filesBefore);
      expect(a.catalog.files.length).toBe(result.filesAfter);
      expect(result.filesAfter).toBeLessThan(filesBefore);
      const dates = new Set(a.catalog.files.map((f) => f.partition.date));
      expect(dates.size).toBe(a.catalog.files.length);
      for (const f of a.catalog.files)
        expect(f.path).toBe(
          `invocation_observations/date=${f.partition.date}/part-${result.snapshotId}-0.parquet`,
        );
      expect(await rowsOf(a)).toEqual(before);
      expect((await a.verify()).ok).toBe(true);
    });
  });
});
