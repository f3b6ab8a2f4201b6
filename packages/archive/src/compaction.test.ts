import { access, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Archive } from './archive.js';
import { type Catalog, RETIRED_KEEP_MS } from './catalog.js';
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
      const observed = () => a.catalog.files.filter((f) => f.table === 'invocation_observations');
      const filesBefore = observed().length;
      const result = await a.compact();
      expect(result.rows).toBe(1200);
      expect(result.filesBefore).toBe(filesBefore);
      expect(observed().length).toBe(result.filesAfter);
      expect(result.filesAfter).toBeLessThan(filesBefore);
      const dates = new Set(observed().map((f) => f.partition.date));
      expect(dates.size).toBe(observed().length);
      for (const f of observed())
        expect(f.path).toBe(
          `invocation_observations/date=${f.partition.date}/part-${result.snapshotId}-0.parquet`,
        );
      expect(await rowsOf(a)).toEqual(before);
      expect((await a.verify()).ok).toBe(true);
    });
  });
});

describe('retired files', () => {
  it('stay in place for readers of the previous catalog, and go at the first commit after they expire', async () => {
    await withArchive(async (a) => {
      for (let run = 0; run < 2; run++) {
        const s = a.beginSnapshot(`run-${run}`);
        await s.addObservations(makeObservations(40, AT, { days: 1, prefix: `r${run}-` }));
        await s.commit();
      }
      const before = a.catalog.files.filter((f) => f.table === 'invocation_observations').map((f) => f.path);
      const result = await a.compact();
      const retired = a.catalog.retired ?? [];
      for (const path of before) {
        expect(retired.map((r) => r.path)).toContain(path);
        await access(join(a.root, path)); // still readable where the previous catalog says
      }
      // The second run rewrote the latest state of its partition: that file is retired too, by that run.
      const byCompaction = retired.filter((r) => r.snapshotId === result.snapshotId).map((r) => r.path);
      expect(byCompaction.sort()).toEqual(expect.arrayContaining(before.sort()));
      expect(a.catalog.files.some((f) => retired.some((r) => r.path === f.path))).toBe(false);
      const report = await a.verify();
      expect(report.unexpected).toEqual([]);
      expect(report.ok).toBe(true);
      // Make them old, then commit once more: they are deleted, and the catalog stops listing them.
      const file = join(a.root, 'catalog.json');
      const catalog = JSON.parse(await readFile(file, 'utf8')) as Catalog;
      const old = new Date(Date.now() - RETIRED_KEEP_MS - 1000).toISOString();
      for (const r of catalog.retired ?? []) if (before.includes(r.path)) r.retiredAt = old;
      await writeFile(file, JSON.stringify(catalog));
      const s = a.beginSnapshot('run-after');
      await s.addObservations(makeObservations(1, AT, { days: 1, prefix: 'late-' }));
      await s.commit();
      for (const path of before) {
        await expect(access(join(a.root, path))).rejects.toThrow(/ENOENT/);
        expect((a.catalog.retired ?? []).map((r) => r.path)).not.toContain(path);
      }
      expect((await a.verify()).ok).toBe(true);
    });
  });
});

describe('automatic compaction', () => {
  it('compacts a partition once it reaches compactAbove files, in the commit that got it there', async () => {
    await withArchive(
      async (a) => {
        for (let run = 0; run < 5; run++) {
          const s = a.beginSnapshot(`run-${run}`);
          await s.addObservations(makeObservations(50, AT, { days: 1, prefix: `r${run}-` }));
          await s.commit();
          const perPartition = new Map<string, number>();
          for (const f of a.catalog.files) {
            const key = `${f.table}/${f.partition.date}`;
            perPartition.set(key, (perPartition.get(key) ?? 0) + 1);
          }
          expect(Math.max(...perPartition.values()), `after run ${run}`).toBeLessThan(3);
        }
        expect(a.catalog.snapshots.some((s) => s.kind === 'compaction')).toBe(true);
        const [row] = await queryCommitted(a, 'SELECT count(*)::INTEGER AS n FROM invocation_observations');
        expect(row).toEqual({ n: 250 });
        expect((await a.verify()).ok).toBe(true);
      },
      { compactAbove: 3 },
    );
  });
});
