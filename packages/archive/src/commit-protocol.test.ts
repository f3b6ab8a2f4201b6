import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdir, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { CRASH_POINTS } from './crash-point.js';
import { ArchiveLockedError, openArchive, verifyArchive } from './index.js';
import { makeObservations } from './testing/fixtures.js';
import { dailyCountsVersusHistory, latestVersusHistory } from './testing/latest-check.js';
import { queryCommitted } from './testing/query-committed.js';
import { newTempRoot, removeTempRoots } from './testing/temp-archive.js';
import { LOCK_FILE } from './writer-lock.js';

const AT = new Date('2026-11-20T10:00:00Z');
afterAll(removeTempRoots);

/**
 * Opens an archive whose writer was killed: its lock, no longer refreshed, is aged past the stale time
 * (as waiting would, without the wait), so the open takes it over as it takes over any dead writer's lock.
 */
async function openAfterDeadWriter(root: string) {
  const past = new Date(Date.now() - 60_000);
  await utimes(join(root, LOCK_FILE), past, past);
  return openArchive({ root, lockStaleMs: 2000 });
}

describe('crash safety', () => {
  it('a writer killed at each step of a commit leaves the old or the new state, never a half', async () => {
    const child = fileURLToPath(new URL('./testing/commit-child.ts', import.meta.url));
    const cases = await Promise.all(
      CRASH_POINTS.map(async (point) => {
        const root = await newTempRoot();
        // The old state: one committed snapshot.
        const archive = await openArchive({ root });
        const s = archive.beginSnapshot('run-base');
        await s.addObservations(makeObservations(200, AT, { prefix: 'b-' }));
        s.setCursors({ 'acct-1/cn-hangzhou/ins-1': { through: 'base' } });
        await s.commit();
        await archive.close();
        const proc = spawn(
          process.execPath,
          ['--import', 'tsx', child, root, '300', '2026-11-21T10:00:00Z'],
          {
            env: { ...process.env, SWAS_ARCHIVE_CRASH_AT: point },
            stdio: 'inherit',
          },
        );
        const [, signal] = (await once(proc, 'exit')) as [number | null, string | null];
        return { point, root, signal };
      }),
    );
    for (const { point, root, signal } of cases) {
      expect(signal, `the child should die at ${point}`).toBe('SIGKILL');
      const archive = await openAfterDeadWriter(root);
      try {
        const committed = CRASH_POINTS.indexOf(point) >= CRASH_POINTS.indexOf('committed');
        const [row] = await queryCommitted(
          archive,
          `SELECT count(*) AS n, count(*) FILTER (WHERE invoke_id LIKE 'c-%') AS child FROM invocation_observations`,
        );
        const rerun = committed ? 19 : 0; // the base's running invocations, seen again finished
        expect([point, Number(row?.n), Number(row?.child)]).toEqual([
          point,
          committed ? 500 + rerun : 200,
          committed ? 300 : 0,
        ]);
        // The maintained latest state is exactly what the history implies, old or new.
        expect(await latestVersusHistory(archive), point).toEqual([]);
        expect(await dailyCountsVersusHistory(archive), point).toEqual([]);
        // The cursor moved exactly with the data.
        expect(archive.cursors['acct-1/cn-hangzhou/ins-1']).toEqual({
          through: committed ? '2026-11-21T10:00:00Z' : 'base',
        });
        // Opening finished a commit that passed its commit point, and discarded one that had not.
        const finished = committed && point !== 'cleaned';
        expect(archive.recovery.completed.length).toBe(finished ? 1 : 0);
        expect(archive.recovery.discarded.filter((d) => d !== 'duckdb-spill').length).toBe(committed ? 0 : 1);
        expect(await readdir(join(root, '_staging')).catch(() => [])).toEqual([]);
      } finally {
        await archive.close();
      }
      const report = await verifyArchive(root);
      expect(report.ok, `${point}: ${JSON.stringify(report)}`).toBe(true);
      expect(report.pendingCommits).toEqual([]);
    }
  });
});

describe('one writer', () => {
  it('refuses a second writer with a clear error, and lets it in after the first closes', async () => {
    const root = await newTempRoot();
    const first = await openArchive({ root });
    const second = await openArchive({ root }).catch((e: unknown) => e);
    expect(second).toBeInstanceOf(ArchiveLockedError);
    expect((second as Error).message).toMatch(
      /another swas-archive writer holds the archive at .*: wait for it to finish/,
    );
    // Readers are never blocked by the writer.
    expect((await verifyArchive(root)).ok).toBe(true);
    await first.close();
    const third = await openArchive({ root });
    await third.close();
  });
});
