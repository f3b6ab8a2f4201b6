import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GroundTruthInvocation, RunningEmulator } from '@swas-archive/emulator';
import { startEmulator } from '@swas-archive/emulator';
import {
  change,
  DEFAULT_FAILURE_STATUSES,
  failureRate,
  NON_FINAL_STATUSES,
  QuerySession,
  ReportOptionsError,
  statusMix,
  stuck,
  topFailing,
} from '@swas-archive/query';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { archiveVersusTruth, crawlOnce } from './helpers/harness.js';

// The fleet's clock runs behind the real one, as the cloud's and the crawler's clocks agree in production:
// a gap found by a run (stamped with the real time) then ends after every creation time it covers.
const START = '2026-06-01T00:00:00Z';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let emu: RunningEmulator;
let root: string;
let session: QuerySession;
/** What the archive should know: every invocation the API held from the first crawl on, as it is now. */
let truth: GroundTruthInvocation[];
let hangId: string;

beforeAll(async () => {
  emu = await startEmulator({
    seed: 23,
    clock: { start: START, speed: 0 },
    fleet: { regions: 2, instancesPerRegion: 3, invocations: 900 },
    live: { invocationsPerMinute: 1 },
  });
  root = await mkdtemp(join(tmpdir(), 'swas-reports-'));
  const instances = emu.admin.instances();
  const run = (i: number, name: string, content: string) =>
    emu.admin.runCommand(instances[i]?.instanceId ?? '', {
      name,
      type: 'RunShellScript',
      content,
      timeoutSeconds: 60,
    });
  // Pending at the first crawl, final (one failed) at the second: the archive sees them change.
  run(0, 'probe', 'true');
  run(1, 'probe', 'exit 3');
  run(4, 'probe', 'true');
  await crawlOnce(emu, root);
  emu.admin.advance(6 * HOUR);
  await crawlOnce(emu, root);
  // Running at the last crawl, and never seen again: what `stuck` is for.
  hangId = run(2, 'hang', 'sleep 30');
  emu.admin.advance(1000);
  await crawlOnce(emu, root);
  // The clock stays frozen from here: the ground truth is what the last crawl saw.
  truth = emu.admin.groundTruth().filter((t) => !t.expiredAt || t.expiredAt > START);
  session = await QuerySession.open(root);
}, 120_000);

afterAll(async () => {
  session?.close();
  await emu?.close();
  await rm(root, { recursive: true, force: true });
});

// From the API's list (swas-api.md), not from the code under test.
const FAILURES = ['Invalid', 'Aborted', 'Failed', 'Error', 'Timeout', 'Cancelled', 'Terminated'];
const FINAL = (status: string) => !['Pending', 'Running', 'Stopping'].includes(status);
const dayOf = (t: GroundTruthInvocation) => t.creationTime.slice(0, 10);
const weekOf = (t: GroundTruthInvocation) => {
  const d = new Date(`${dayOf(t)}T00:00:00Z`);
  return new Date(d.getTime() - ((d.getUTCDay() + 6) % 7) * DAY).toISOString().slice(0, 10);
};
const inPeriod = (since: string, until: string) => (t: GroundTruthInvocation) =>
  Date.parse(t.creationTime) >= Date.parse(since) && Date.parse(t.creationTime) < Date.parse(until);

function tally(list: GroundTruthInvocation[], failure: readonly string[] = FAILURES) {
  const total = list.filter((t) => FINAL(t.invocationStatus)).length;
  const failed = list.filter((t) => failure.includes(t.invocationStatus)).length;
  const notFinal = list.length - total;
  return { total, failed, rate: total === 0 ? null : failed / total, not_final: notFinal };
}

/** Bucket starts from the bucket holding `since` to the last before `until`. */
function buckets(since: string, until: string, step: 'day' | 'week'): string[] {
  let d = new Date(`${since.slice(0, 10)}T00:00:00Z`);
  if (step === 'week') d = new Date(d.getTime() - ((d.getUTCDay() + 6) % 7) * DAY);
  const out: string[] = [];
  for (; d.getTime() < Date.parse(until); d = new Date(d.getTime() + (step === 'day' ? DAY : 7 * DAY)))
    out.push(d.toISOString().slice(0, 10));
  return out;
}

describe('reports, against the emulator after crawls that saw statuses change', () => {
  it('starts from an archive equal to the ground truth, in which invocations changed between runs', async () => {
    expect(await archiveVersusTruth(emu, root)).toEqual([]);
    const { rows } = await session.run(
      `SELECT invoke_id, list(invocation_status ORDER BY observed_at) AS seen FROM invocation_history
       WHERE command_name = 'probe' GROUP BY 1 ORDER BY 1`,
    );
    expect(rows.map((r) => r.seen).sort()).toEqual([
      ['Pending', 'Failed'],
      ['Pending', 'Success'],
      ['Pending', 'Success'],
    ]);
    expect(truth.some((t) => !FINAL(t.invocationStatus))).toBe(true);
  });

  it('failure-rate: every day × region of the period, each count and rate as the truth has it', async () => {
    const since = '2026-05-16';
    const until = '2026-06-02T00:00:00Z';
    const result = await failureRate(session, { since, until, group: 'region' });
    const scoped = truth.filter(inPeriod(since, until));
    const regions = [...new Set(scoped.map((t) => t.regionId))].sort();
    const expected = buckets(since, until, 'day').flatMap((period) =>
      regions.map((group) => ({
        period,
        group,
        ...tally(scoped.filter((t) => dayOf(t) === period && t.regionId === group)),
        gap: false,
      })),
    );
    expect(result.rows).toEqual(expected);
    expect(expected.some((r) => r.failed > 0 && r.not_final > 0)).toBe(true);
    expect(result.failureStatuses).toEqual(FAILURES);
    expect(DEFAULT_FAILURE_STATUSES).toEqual(FAILURES);
    expect(NON_FINAL_STATUSES).toEqual(['Pending', 'Running', 'Stopping']);
    expect(result.coverage.complete).toBe(true);
    expect(result.coverage.gaps).toEqual([]);
    // Every instance has a window proven complete, inside the period.
    expect(new Set(result.coverage.windows.map((w) => w.instance_id))).toEqual(
      new Set(emu.admin.instances().map((i) => i.instanceId)),
    );
    for (const w of result.coverage.windows) {
      expect(Date.parse(w.window_start)).toBeGreaterThanOrEqual(Date.parse(`${since}T00:00:00Z`));
      expect(Date.parse(w.window_end)).toBeLessThanOrEqual(Date.parse(until));
    }
  });

  it('failure-rate: by week, ungrouped, with the failure statuses changed and a filter', async () => {
    const since = '2026-05-01';
    const until = '2026-06-01T12:00:00Z';
    const region = truth[0]?.regionId ?? '';
    const failure = ['Failed', 'Timeout'];
    const result = await failureRate(session, {
      since,
      until,
      by: 'week',
      regions: [region],
      failureStatuses: failure,
    });
    const scoped = truth.filter((t) => t.regionId === region).filter(inPeriod(since, until));
    expect(result.rows).toEqual(
      buckets(since, until, 'week').map((period) => ({
        period,
        group: null,
        ...tally(
          scoped.filter((t) => weekOf(t) === period),
          failure,
        ),
        gap: false,
      })),
    );
  });

  it('status-mix: per day, each status counted, with its share of the day', async () => {
    const since = '2026-05-28';
    const until = '2026-06-02';
    const result = await statusMix(session, { since, until });
    const scoped = truth.filter(inPeriod(since, '2026-06-03T00:00:00Z'));
    const counts = new Map<string, number>();
    for (const t of scoped) {
      const key = `${dayOf(t)}|${t.invocationStatus}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const perDay = (day: string) => scoped.filter((t) => dayOf(t) === day).length;
    const expected = [...counts.entries()]
      .map(([key, count]) => {
        const [period = '', status = ''] = key.split('|');
        return {
          period,
          group: null,
          status,
          final: FINAL(status),
          count,
          share: count / perDay(period),
          gap: false,
        };
      })
      .sort((a, b) =>
        a.period !== b.period
          ? a.period.localeCompare(b.period)
          : b.count - a.count || (a.status < b.status ? -1 : 1),
      );
    expect(result.rows).toEqual(expected);
    expect(expected.length).toBeGreaterThan(10);
  });

  it('top-failing: the commands with most failures, then by rate and name', async () => {
    const since = '2026-05-10';
    const until = '2026-06-02';
    const result = await topFailing(session, { since, until, limit: 4 });
    const scoped = truth.filter(inPeriod(since, '2026-06-03T00:00:00Z'));
    const names = [...new Set(scoped.map((t) => t.commandName))];
    const expected = names
      .map((group) => {
        const mine = scoped.filter((t) => t.commandName === group);
        const { total, failed, not_final } = tally(mine);
        const lastFailed = mine
          .filter((t) => FAILURES.includes(t.invocationStatus))
          .map((t) => Date.parse(t.creationTime))
          .reduce((a, b) => Math.max(a, b), 0);
        return {
          group,
          total,
          failed,
          rate: failed / total,
          not_final,
          last_failed_at: new Date(lastFailed).toISOString(),
          gap: false,
        };
      })
      .filter((r) => r.failed > 0)
      .sort((a, b) => b.failed - a.failed || b.rate - a.rate || (a.group < b.group ? -1 : 1))
      .slice(0, 4);
    expect(result.rows).toEqual(expected);
    expect(expected).toHaveLength(4);
    expect(result.group).toBe('command');

    const byInstance = await topFailing(session, { since, until, group: 'instance', limit: 100 });
    const perInstance = [...new Set(scoped.map((t) => t.instanceId))]
      .map((id) => ({ id, ...tally(scoped.filter((t) => t.instanceId === id)) }))
      .filter((r) => r.failed > 0)
      .sort((a, b) => b.failed - a.failed || (b.rate ?? 0) - (a.rate ?? 0) || (a.id < b.id ? -1 : 1));
    expect(byInstance.rows.map((r) => [r.group, r.failed, r.rate])).toEqual(
      perInstance.map((r) => [r.id, r.failed, r.rate]),
    );
    expect(perInstance.length).toBeGreaterThan(1);
  });

  it('change: each instance, this period against the one of the same length before it', async () => {
    const since = '2026-05-25T00:00:00Z';
    const until = '2026-06-02T00:00:00Z';
    const previousSince = '2026-05-17T00:00:00Z';
    const result = await change(session, { since, until, group: 'instance' });
    expect(result.previousSince).toBe('2026-05-17T00:00:00.000Z');
    const now = truth.filter(inPeriod(since, until));
    const before = truth.filter(inPeriod(previousSince, since));
    const ids = [...new Set([...now, ...before].map((t) => t.instanceId))];
    const expected = ids
      .map((group) => {
        const p = tally(before.filter((t) => t.instanceId === group));
        const c = tally(now.filter((t) => t.instanceId === group));
        return {
          group,
          previous_total: p.total,
          previous_failed: p.failed,
          previous_rate: p.rate,
          total: c.total,
          failed: c.failed,
          rate: c.rate,
          change: p.rate === null || c.rate === null ? null : c.rate - p.rate,
          gap: false,
        };
      })
      .sort((a, b) =>
        a.change === b.change
          ? a.group < b.group
            ? -1
            : 1
          : a.change === null
            ? 1
            : b.change === null
              ? -1
              : b.change - a.change,
      );
    expect(result.rows).toEqual(expected);
    expect(expected.filter((r) => r.change !== null).length).toBeGreaterThan(3);
    expect(result.coverage.since).toBe('2026-05-17T00:00:00.000Z');
  });

  it('stuck: what was still non-final at its last observation, older than the threshold', async () => {
    const asOf = new Date(emu.admin.now() + 2 * HOUR);
    const result = await stuck(session, { since: '2026-05-01', until: '2026-06-03', asOf, olderThan: '1h' });
    const expected = truth
      .filter((t) => !FINAL(t.invocationStatus))
      .filter((t) => Date.parse(t.creationTime) <= asOf.getTime() - HOUR)
      .sort((a, b) => a.creationTime.localeCompare(b.creationTime) || a.invokeId.localeCompare(b.invokeId))
      .map((t) => ({ invoke_id: t.invokeId, invocation_status: t.invocationStatus, gap: false }));
    expect(
      result.rows.map((r) => ({
        invoke_id: r.invoke_id,
        invocation_status: r.invocation_status,
        gap: r.gap,
      })),
    ).toEqual(expected);
    expect(result.rows.map((r) => r.invoke_id)).toContain(hangId);
    const hang = result.rows.find((r) => r.invoke_id === hangId);
    expect(hang?.age).toBe('02:00:01');
    expect(result.asOfBasis).toBe('given');
    // By default ages are measured at the end of the newest run.
    const byRun = await stuck(session, { since: '2026-05-01', until: '2026-06-03' });
    expect(byRun.asOfBasis).toBe('newest-run');
    const [newest] = (await session.run('SELECT max(finished_at) AS at FROM runs')).rows;
    expect(byRun.asOf).toBe(newest?.at);
  });

  it('binds every value it is given: a hostile filter matches nothing and runs nothing', async () => {
    const hostile = "x' OR '1'='1";
    const result = await failureRate(session, {
      since: '2026-05-01',
      until: '2026-06-02',
      regions: [hostile],
      instances: [`${hostile}; DROP VIEW invocations; --`],
      commands: [hostile],
    });
    expect(result.rows.every((r) => r.total === 0 && r.not_final === 0)).toBe(true);
    expect((await session.run('SELECT count(*) AS n FROM invocations')).rows[0]?.n).toBe(truth.length);
    await expect(failureRate(session, { since: hostile })).rejects.toThrow(ReportOptionsError);
    await expect(failureRate(session, { failureStatuses: ['Running'] })).rejects.toThrow(
      /not a final status/,
    );
    await expect(failureRate(session, { failureStatuses: [hostile] })).rejects.toThrow(/unknown status/);
    await expect(topFailing(session, { limit: 0 })).rejects.toThrow(/limit must be an integer >= 1/);
  });
});

describe('a report over a gap says so', () => {
  it('flags the rows an unresolved gap overlaps, lists the gap, and clears both once it is resolved', async () => {
    const e = await startEmulator({
      seed: 29,
      clock: { start: START, speed: 0 },
      fleet: { regions: 1, instancesPerRegion: 3, invocations: 300 },
      live: { invocationsPerMinute: 1 },
    });
    const dir = await mkdtemp(join(tmpdir(), 'swas-report-gap-'));
    try {
      await crawlOnce(e, dir);
      const broken = e.admin.instances()[0]?.instanceId ?? '';
      e.admin.setFaults({ instances: { [broken]: { internalError: 1 } } });
      e.admin.advance(2 * DAY);
      await crawlOnce(e, dir, { retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 2 } });
      const s = await QuerySession.open(dir);
      let gapStart: string;
      try {
        const since = '2026-05-20';
        const until = '2026-06-04';
        const [gap] = (await s.run('SELECT gap_start, gap_end, observed_at, resolved FROM gaps')).rows;
        // A failed instance that handed on no record: the gap reaches up to the run that failed on it.
        expect(gap).toMatchObject({ gap_end: gap?.observed_at, resolved: false });
        expect(gap?.gap_end).not.toBeNull();
        gapStart = String(gap?.gap_start);
        const byInstance = await failureRate(s, { since, until, group: 'instance' });
        const gapDay = gapStart.slice(0, 10);
        for (const row of byInstance.rows)
          expect([row.group, row.period, row.gap]).toEqual([
            row.group,
            row.period,
            row.group === broken && row.period >= gapDay,
          ]);
        expect(byInstance.rows.some((r) => r.gap)).toBe(true);
        expect(byInstance.coverage.complete).toBe(false);
        expect(byInstance.coverage.gaps).toEqual([
          expect.objectContaining({
            instance_id: broken,
            gap_reason: 'instance-failed',
            gap_start: gapStart,
            resolved: false,
          }),
        ]);
        // Any command may have run on the broken instance: every command's bucket from the gap on is flagged.
        const byCommand = await failureRate(s, { since, until, group: 'command' });
        for (const row of byCommand.rows) expect(row.gap).toBe(row.period >= gapDay);
        // A filter to the other instances leaves the gap out.
        const others = e.admin
          .instances()
          .slice(1)
          .map((i) => i.instanceId);
        const healthy = await failureRate(s, { since, until, instances: others });
        expect(healthy.rows.every((r) => !r.gap)).toBe(true);
        expect(healthy.coverage).toMatchObject({ complete: true, gaps: [] });
      } finally {
        s.close();
      }
      e.admin.setFaults({});
      await crawlOnce(e, dir);
      const after = await QuerySession.open(dir);
      try {
        const result = await failureRate(after, {
          since: '2026-05-20',
          until: '2026-06-04',
          group: 'instance',
        });
        expect(result.rows.every((r) => !r.gap)).toBe(true);
        expect(result.coverage.complete).toBe(true);
        expect(result.coverage.gaps).toEqual([
          expect.objectContaining({ instance_id: broken, resolved: true }),
        ]);
      } finally {
        after.close();
      }
    } finally {
      await e.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
