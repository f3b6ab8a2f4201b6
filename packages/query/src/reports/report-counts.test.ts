import { cp, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Catalog,
  type CoverageRecord,
  type InvocationObservation,
  openArchive,
} from '@swas-archive/archive';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QuerySession } from '../query-session.js';
import { change } from './change.js';
import { failureRate } from './failure-rate.js';
import { statusMix } from './status-mix.js';
import { topFailing } from './top-failing.js';

const DAY = 86_400_000;
const START = Date.parse('2026-08-20T00:00:00Z');
const STATUSES = ['Success', 'Success', 'Success', 'Failed', 'Timeout', 'Running', 'Cancelled'];

/** 3,000 invocations over 70 days (three months), seen by two runs: the second finishes what was running. */
function observations(): { first: InvocationObservation[]; second: InvocationObservation[] } {
  const first: InvocationObservation[] = [];
  const second: InvocationObservation[] = [];
  for (let i = 0; i < 3000; i++) {
    const status = STATUSES[(i + Math.floor(i / 11)) % STATUSES.length] as string;
    const o: InvocationObservation = {
      account: i % 9 === 0 ? 'acct-2' : 'acct-1',
      regionId: i % 3 === 0 ? 'cn-beijing' : 'cn-hangzhou',
      instanceId: `ins-${i % 5}`,
      invokeId: `t-${i}`,
      // Spread over every hour of each day, so that a period cut at any hour divides days.
      creationTime: new Date(START + Math.floor((i * 70 * DAY) / 3000) + (i % 24) * 60_000),
      invocationStatus: status,
      invokeStatus: status === 'Running' ? 'Running' : 'Finished',
      commandType: i % 4 === 0 ? 'RunBatScript' : 'RunShellScript',
      commandName: ['deploy', 'backup', '清理日志'][i % 3] as string,
      commandContent: 'echo',
      parameters: {},
      observedAt: new Date(START + 71 * DAY),
    };
    first.push(o);
    if (status === 'Running' && i % 2 === 0)
      second.push({ ...o, invocationStatus: 'Failed', observedAt: new Date(START + 72 * DAY) });
  }
  return { first, second };
}

/** What a run on day `day` proved of each instance; ins-1 has a gap the second run resolves, ins-3 one it does not. */
function coverage(day: number): CoverageRecord[] {
  return Array.from({ length: 5 }, (_, i) => {
    const gap = (i === 1 && day === 71) || i === 3;
    return {
      account: 'acct-1',
      regionId: i % 3 === 0 ? 'cn-beijing' : 'cn-hangzhou',
      instanceId: `ins-${i}`,
      observedAt: new Date(START + day * DAY),
      complete: true,
      windowStart: new Date(START + (gap ? 40 : 0) * DAY),
      windowEnd: new Date(START + day * DAY),
      joinedPrevious: !gap,
      ...(gap
        ? {
            gapStart: new Date(START + 30 * DAY),
            gapEnd: new Date(START + 40 * DAY),
            gapReason: 'expired-unseen',
          }
        : {}),
    };
  });
}

let root: string;
let plain: string;
let counted: QuerySession;
let uncounted: QuerySession;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'swas-report-counts-'));
  const archive = await openArchive({ root });
  try {
    const { first, second } = observations();
    for (const [run, batch] of [
      ['run-1', first],
      ['run-2', second],
    ] as const) {
      const s = archive.beginSnapshot(run);
      await s.addObservations(batch);
      await s.addCoverage(coverage(run === 'run-1' ? 71 : 72));
      await s.commit();
    }
  } finally {
    await archive.close();
  }
  // The same archive as a reader sees one kept without daily counts: every report counts the latest state.
  plain = await mkdtemp(join(tmpdir(), 'swas-report-plain-'));
  await cp(root, plain, { recursive: true });
  const catalog = JSON.parse(await readFile(join(plain, 'catalog.json'), 'utf8')) as Catalog;
  await writeFile(
    join(plain, 'catalog.json'),
    JSON.stringify({
      ...catalog,
      features: ['latest-state'],
      files: catalog.files.filter((f) => f.table !== 'invocations_daily'),
    }),
  );
  counted = await QuerySession.open(root);
  uncounted = await QuerySession.open(plain);
});

afterAll(async () => {
  counted?.close();
  uncounted?.close();
  await rm(root, { recursive: true, force: true });
  await rm(plain, { recursive: true, force: true });
});

/** Periods cut at midnight and within days, over one month and over all three. */
const PERIODS: [since: string, until: string][] = [
  ['2026-08-20', '2026-11-01'],
  ['2026-08-23T05:30:00Z', '2026-10-17T13:00:00Z'],
  ['2026-09-01', '2026-10-01'],
  ['2026-09-14T23:59:00Z', '2026-09-15T00:01:00Z'],
];

describe('reports over the daily counts', () => {
  it('the archive keeps them, and a session reads whole days from them', async () => {
    const catalog = JSON.parse(await readFile(join(root, 'catalog.json'), 'utf8')) as Catalog;
    expect(catalog.features).toContain('daily-counts');
    expect(await counted.periodCounts(new Date('2026-09-01'), new Date('2026-10-01'))).toBe('period_counts');
    const { rows } = await counted.run(
      `SELECT count(*) AS n, sum(invocations) AS total FROM period_counts WHERE invocations > 1`,
    );
    expect(rows[0]?.n).toBeGreaterThan(0);
  });

  it('count exactly what the latest state holds, whatever the period, bucket, group and filter', async () => {
    for (const [since, until] of PERIODS) {
      for (const by of ['day', 'week', 'month'] as const) {
        for (const group of [
          undefined,
          'region',
          'instance',
          'command',
          'command-type',
          'account',
        ] as const) {
          const options = { since, until, by, group };
          const label = JSON.stringify(options);
          expect((await failureRate(counted, options)).rows, label).toEqual(
            (await failureRate(uncounted, options)).rows,
          );
          expect((await statusMix(counted, options)).rows, label).toEqual(
            (await statusMix(uncounted, options)).rows,
          );
        }
      }
      const filtered = { since, until, regions: ['cn-beijing'], commands: ['deploy', '清理日志'] };
      expect((await failureRate(counted, filtered)).rows).toEqual(
        (await failureRate(uncounted, filtered)).rows,
      );
      for (const group of ['command', 'instance', 'account'] as const) {
        const options = { since, until, group, limit: 3 };
        // last_failed_at too: the daily counts keep the newest creation time of each count.
        expect((await topFailing(counted, options)).rows).toEqual(
          (await topFailing(uncounted, options)).rows,
        );
        expect((await change(counted, options)).rows).toEqual((await change(uncounted, options)).rows);
      }
    }
  });

  it('read the coverage from memory once held, with the same rows and gaps', async () => {
    const fresh = await QuerySession.open(root);
    try {
      const read = async (session: QuerySession) => ({
        coverage: (await session.run('SELECT * FROM coverage ORDER BY ALL')).rows,
        gaps: (await session.run('SELECT * FROM gaps ORDER BY ALL')).rows,
      });
      const before = await read(fresh);
      expect(before.coverage.length).toBe(10);
      expect(before.gaps.map((g) => [g.run_id, g.instance_id, g.resolved])).toEqual([
        ['run-1', 'ins-3', false],
        ['run-1', 'ins-1', true],
        ['run-2', 'ins-3', false],
      ]);
      await fresh.holdCoverage();
      // Its files gone, the held copy still answers: it is read from memory.
      await rename(join(root, 'coverage'), join(root, 'coverage-away'));
      try {
        expect(await read(fresh)).toEqual(before);
        const report = await failureRate(fresh, { since: '2026-08-20', until: '2026-11-01', by: 'month' });
        expect(report.coverage.gaps.filter((g) => !g.resolved).length).toBe(2);
        // The gap (days 30 to 40 of the data: September 19 to 29) touches September only.
        expect(report.rows.map((r) => [r.period, r.gap])).toEqual([
          ['2026-08-01', false],
          ['2026-09-01', true],
          ['2026-10-01', false],
          ['2026-11-01', false],
        ]);
      } finally {
        await rename(join(root, 'coverage-away'), join(root, 'coverage'));
      }
    } finally {
      fresh.close();
    }
  });

  it('count something: the totals are the invocations of the period', async () => {
    const { rows } = await failureRate(counted, { since: '2026-08-20', until: '2026-11-01', by: 'month' });
    const all = rows.reduce((n, r) => n + r.total + r.not_final, 0);
    expect(all).toBe(3000);
    expect(rows.reduce((n, r) => n + r.failed, 0)).toBeGreaterThan(500);
  });
});
