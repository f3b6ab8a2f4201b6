import { afterAll, describe, expect, it } from 'vitest';
import { openArchive } from './archive.js';
import { ArchiveLockedError, ArchiveUsageError, verifyArchive } from './index.js';
import { makeObservations } from './testing/fixtures.js';
import { queryCommitted } from './testing/query-committed.js';
import { newTempRoot, removeTempRoots } from './testing/temp-archive.js';
import { WriterLock } from './writer-lock.js';

const AT = new Date('2026-11-20T10:00:00Z');
afterAll(removeTempRoots);

const refusal = (p: Promise<unknown>) =>
  p.then(
    () => new Error('expected a refusal'),
    (e: unknown) => e as Error,
  );

describe('shards sharing an archive root', () => {
  it('commit in turns to one root: every commit of each kept, with the cursors of both', async () => {
    const root = await newTempRoot();
    const [a, b] = await Promise.all([
      openArchive({ root, shard: { index: 0, count: 2 } }),
      openArchive({ root, shard: { index: 1, count: 2 } }),
    ]);
    try {
      // Both shards' commits interleave; observations share date partitions (the latest state is rewritten).
      await Promise.all(
        [a, b].map(async (archive, i) => {
          for (let round = 0; round < 2; round++) {
            const s = archive.beginSnapshot(`run-${i}`);
            await s.addObservations(
              makeObservations(120, AT, { account: `acct-${i}`, prefix: `r${round}-` }),
            );
            s.setCursors({ [`acct-${i}/cn-hangzhou/ins-${round}`]: { round } });
            await s.commit();
          }
        }),
      );
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
    const one = await openArchive({ root });
    try {
      expect(one.cursors).toEqual({
        'acct-0/cn-hangzhou/ins-0': { round: 0 },
        'acct-0/cn-hangzhou/ins-1': { round: 1 },
        'acct-1/cn-hangzhou/ins-0': { round: 0 },
        'acct-1/cn-hangzhou/ins-1': { round: 1 },
      });
      const counts = await queryCommitted(
        one,
        `SELECT account, count(*)::INT AS n, count(DISTINCT invoke_id)::INT AS ids FROM invocations_latest GROUP BY 1 ORDER BY 1`,
      );
      expect(counts).toEqual([
        { account: 'acct-0', n: 240, ids: 240 },
        { account: 'acct-1', n: 240, ids: 240 },
      ]);
      expect(one.catalog.snapshots.filter((s) => s.kind === 'ingest')).toHaveLength(4);
    } finally {
      await one.close();
    }
    expect((await verifyArchive(root)).ok).toBe(true);
  });

  it('an unsharded writer, the same shard twice, or another split is refused at once', async () => {
    const root = await newTempRoot();
    const shard = await openArchive({ root, shard: { index: 0, count: 2 } });
    try {
      const whole = await refusal(openArchive({ root }));
      expect(whole).toBeInstanceOf(ArchiveLockedError);
      expect(whole.message).toMatch(/shard 0\/2 \(process \d+ on .*\) is writing/);
      const twice = await refusal(openArchive({ root, shard: { index: 0, count: 2 } }));
      expect(twice).toBeInstanceOf(ArchiveLockedError);
      expect(twice.message).toContain('shard 0/2 is already running');
      const other = await refusal(openArchive({ root, shard: { index: 1, count: 3 } }));
      expect(other).toBeInstanceOf(ArchiveLockedError);
      expect(other.message).toContain('every shard of a split must use the same n');
    } finally {
      await shard.close();
    }
    const whole = await openArchive({ root });
    try {
      // And a shard does not wait behind a writer that holds the lock for its whole run.
      const shardNow = await refusal(openArchive({ root, shard: { index: 1, count: 2 } }));
      expect(shardNow).toBeInstanceOf(ArchiveLockedError);
    } finally {
      await whole.close();
    }
    await expect(refusal(openArchive({ root, shard: { index: 2, count: 2 } }))).resolves.toBeInstanceOf(
      ArchiveUsageError,
    );
  });

  it('a shard waits its turn while another holds the lock for a commit, then commits', async () => {
    const root = await newTempRoot();
    const shard = await openArchive({ root, shard: { index: 1, count: 2 } });
    try {
      const s = shard.beginSnapshot('run-1');
      await s.addObservations(makeObservations(50, AT));
      const turn = await WriterLock.acquire(root, 30_000, { mode: 'commit' });
      let done = false;
      const commit = s.commit().then((r) => {
        done = true;
        return r;
      });
      await new Promise((r) => setTimeout(r, 400));
      expect(done).toBe(false); // nothing is committed while the other shard holds the lock
      await turn.release();
      expect((await commit).rows.invocation_observations).toBe(50);
    } finally {
      await shard.close();
    }
  });
});
