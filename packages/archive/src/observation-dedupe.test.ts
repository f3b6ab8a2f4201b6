import { afterAll, describe, expect, it } from 'vitest';
import type { Archive } from './archive.js';
import type { InvocationObservation } from './records.js';
import { latestVersusHistory } from './testing/latest-check.js';
import { queryCommitted } from './testing/query-committed.js';
import { removeTempRoots, withArchive } from './testing/temp-archive.js';

afterAll(removeTempRoots);

const CREATED = new Date('2026-11-20T10:00:00Z');
const at = (minutes: number) => new Date(CREATED.getTime() + minutes * 60_000);

/** Invocation `id` in `status`, seen at `minutes` after its creation. */
function seen(id: string, status: 'Running' | 'Success', minutes: number): InvocationObservation {
  return {
    account: 'acct-1',
    regionId: 'cn-hangzhou',
    instanceId: 'ins-1',
    invokeId: id,
    creationTime: CREATED,
    invocationStatus: status,
    invokeStatus: status === 'Success' ? 'Finished' : 'Running',
    commandType: 'RunShellScript',
    commandName: 'deploy',
    commandContent: 'echo hi',
    parameters: {},
    observedAt: at(minutes),
  };
}

async function commit(a: Archive, obs: InvocationObservation[], imported = false) {
  const s = a.beginSnapshot(imported ? 'import-1' : 'run-1', { imported });
  await s.addObservations(obs);
  return s.commit();
}

/** Each invocation's history, as `status@minute` in order. */
async function histories(a: Archive): Promise<Record<string, string[]>> {
  const rows = await queryCommitted(
    a,
    'SELECT invoke_id, invocation_status, observed_at FROM invocation_observations ORDER BY invoke_id, observed_at',
  );
  const out: Record<string, string[]> = {};
  for (const r of rows) {
    const minutes = ((r.observed_at as Date).getTime() - CREATED.getTime()) / 60_000;
    const id = r.invoke_id as string;
    out[id] = [...(out[id] ?? []), `${r.invocation_status}@${minutes}`];
  }
  return out;
}

async function latest(a: Archive): Promise<Record<string, string>> {
  const rows = await queryCommitted(
    a,
    'SELECT invoke_id, invocation_status, observations FROM invocations_latest ORDER BY invoke_id',
  );
  return Object.fromEntries(rows.map((r) => [r.invoke_id, `${r.invocation_status} x${r.observations}`]));
}

describe('dedupe against the observation after', () => {
  it('an imported copy of a later archived observation is not written, nor counted as a change', async () => {
    await withArchive(async (a) => {
      await commit(a, [seen('a', 'Running', 1), seen('a', 'Success', 10), seen('b', 'Success', 10)]);
      // The dump saw a and b at minute 5: a already Success (equal to minute 10's), b Success too.
      const result = await commit(a, [seen('a', 'Success', 5), seen('b', 'Success', 5)], true);
      expect(result.rows.invocation_observations ?? 0).toBe(0);
      expect(result.skipped).toBe(2);
      expect(result.changedInvocations).toBe(0);
      expect(await histories(a)).toEqual({ a: ['Running@1', 'Success@10'], b: ['Success@10'] });
      expect(await latestVersusHistory(a)).toEqual([]);
    });
  });

  it('several staged copies before an archived equal one are all left out; a different one is kept', async () => {
    await withArchive(async (a) => {
      await commit(a, [seen('a', 'Success', 10)]);
      const result = await commit(
        a,
        [seen('a', 'Running', 2), seen('a', 'Success', 4), seen('a', 'Success', 6)],
        true,
      );
      expect(result.rows.invocation_observations).toBe(1);
      expect(result.changedInvocations).toBe(1);
      expect(await histories(a)).toEqual({ a: ['Running@2', 'Success@10'] });
    });
  });

  it('staged copies with no archived one after them keep their first', async () => {
    await withArchive(async (a) => {
      const result = await commit(a, [seen('a', 'Success', 4), seen('a', 'Success', 6)], true);
      expect(result.rows.invocation_observations).toBe(1);
      expect(await histories(a)).toEqual({ a: ['Success@4'] });
    });
  });
});

describe('imported observations dated after a final state', () => {
  it('are dropped and counted as stale; the latest state stays final and the history never goes back', async () => {
    await withArchive(async (a) => {
      await commit(a, [seen('a', 'Running', 1), seen('a', 'Success', 10)]);
      // An old dump of a Running page, dated by a file time later than the Success.
      const result = await commit(a, [seen('a', 'Running', 30), seen('b', 'Running', 30)], true);
      expect(result.stale).toBe(1);
      expect(result.skipped).toBe(0);
      expect(result.changedInvocations).toBe(0);
      expect(await histories(a)).toEqual({ a: ['Running@1', 'Success@10'], b: ['Running@30'] });
      expect(await latest(a)).toEqual({ a: 'Success x2', b: 'Running x1' });
    });
  });

  it('within one import too: the Running page dated after the Success page is dropped', async () => {
    await withArchive(async (a) => {
      const result = await commit(a, [seen('a', 'Success', 5), seen('a', 'Running', 8)], true);
      expect(result.stale).toBe(1);
      expect(await histories(a)).toEqual({ a: ['Success@5'] });
    });
  });

  it('an earlier Running state is history, not stale', async () => {
    await withArchive(async (a) => {
      await commit(a, [seen('a', 'Success', 10)]);
      const result = await commit(a, [seen('a', 'Running', 3)], true);
      expect(result.stale).toBe(0);
      expect(await histories(a)).toEqual({ a: ['Running@3', 'Success@10'] });
      expect(await latest(a)).toEqual({ a: 'Success x2' });
    });
  });

  it('a crawl is never second-guessed by the dedupe, but its latest state still keeps the final one', async () => {
    await withArchive(async (a) => {
      await commit(a, [seen('a', 'Success', 10)], true);
      const result = await commit(a, [seen('a', 'Running', 20)]);
      expect(result.stale).toBe(0);
      expect(await histories(a)).toEqual({ a: ['Success@10', 'Running@20'] });
      expect(await latest(a)).toEqual({ a: 'Success x2' });
      expect(await latestVersusHistory(a)).toEqual([]);
    });
  });
});
