import { AuthenticationError } from '@swas-archive/client';
import type { FaultProfileName } from '@swas-archive/emulator';
import { describe, expect, it } from 'vitest';
import { quietFleet } from './helpers/fleets.js';
import {
  archivedInvocations,
  archiveVersusTruth,
  clientOf,
  crawlOnce,
  withArchiveRoot,
  withEmulator,
} from './helpers/harness.js';

const START = '2026-05-01T00:00:00Z';
const HOUR = 3_600_000;

/** Lets the fleet change while the first crawl runs: inserts, finishes, a release. */
function liveFleet(order: 'newest-first' | 'oldest-first', profile: FaultProfileName) {
  return {
    seed: 17,
    order,
    clock: { start: START, speed: 600 },
    fleet: { regions: 2, instancesPerRegion: 3, invocations: 1200 },
    live: { invocationsPerMinute: 4, releasesPerHour: 8 },
    faults: { profile, trickleMs: 2500 },
  };
}

describe('the archive equals the ground truth', () => {
  for (const order of ['newest-first', 'oldest-first'] as const) {
    for (const profile of ['none', 'flaky', 'chaos'] as const) {
      it(`${order}, faults ${profile}, fleet changing during the crawl, then one more run`, async () => {
        await withEmulator(liveFleet(order, profile), async (emu) => {
          await withArchiveRoot(async (root) => {
            const since = emu.admin.now();
            const first = await crawlOnce(emu, root, {}, 1500);
            expect(first.error).toBeUndefined();
            const firstCalls = emu.admin.requestLog().length;
            // The fleet did change under the crawler: records arrived and an instance was released.
            expect(emu.admin.groundTruth().length).toBeGreaterThan(1200);
            expect(emu.admin.instances().some((i) => i.releasedAt)).toBe(true);
            // Freeze the fleet, then crawl again: everything held now must be archived exactly.
            emu.admin.setClockSpeed(0);
            const second = await crawlOnce(emu, root);
            expect(second.error).toBeUndefined();
            expect(await archiveVersusTruth(emu, root, since)).toEqual([]);
            // Every answer the emulator spoiled was retried (a trickle slower than the client's timeout too).
            const spoiled = emu.admin
              .requestLog()
              .filter((e) => e.fault !== undefined && (e.fault !== 'trickle' || e.seq <= firstCalls));
            expect(first.retries + second.retries).toBeGreaterThanOrEqual(spoiled.length);
            if (profile === 'chaos') expect(spoiled.length).toBeGreaterThan(0);
          });
        });
      });
    }
  }
});

describe('failures', () => {
  it('an authentication error stops the run at once with the client message', async () => {
    await withEmulator(quietFleet(), async (emu) => {
      await withArchiveRoot(async (root) => {
        const key = emu.credentials[0] as { accessKeyId: string; accessKeySecret: string };
        const { openArchive } = await import('@swas-archive/archive');
        const { crawl } = await import('@swas-archive/crawler');
        const archive = await openArchive({ root });
        try {
          const report = await crawl({
            accounts: [
              {
                name: 'acct',
                api: clientOf(emu, { credentials: { ...key, accessKeySecret: 'wrong-secret' } }),
              },
            ],
            archive,
          });
          expect(report.outcome).toBe('failed');
          expect(report.error).toBeInstanceOf(AuthenticationError);
          expect(report.error?.message).toMatch(/access key secret does not match/);
          expect(emu.admin.requestLog().length).toBe(1);
        } finally {
          await archive.close();
        }
      });
    });
  });

  it('an instance that always fails does not stop the others and is reported incomplete', async () => {
    await withEmulator(quietFleet(), async (emu) => {
      const broken = emu.admin.instances()[1]?.instanceId ?? '';
      emu.admin.setFaults({ instances: { [broken]: { internalError: 1 } } });
      await withArchiveRoot(async (root) => {
        const report = await crawlOnce(emu, root, { retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 } });
        expect(report.outcome).toBe('partial');
        expect(report.incomplete).toEqual([
          expect.objectContaining({ instanceId: broken, reason: expect.stringMatching(/InternalError/) }),
        ]);
        expect(report.instancesComplete).toBe(5);
        expect(report.gaps.map((g) => [g.instanceId, g.gapReason])).toEqual([[broken, 'instance-failed']]);
        const problems = await archiveVersusTruth(emu, root);
        expect(problems.length).toBeGreaterThan(0);
        expect(problems.every((p) => p.includes(broken))).toBe(true);
        // Fixed, the next run archives it.
        emu.admin.setFaults({});
        const again = await crawlOnce(emu, root);
        expect(again.outcome).toBe('complete');
        expect(await archiveVersusTruth(emu, root)).toEqual([]);
      });
    });
  });
});

describe('incremental runs', () => {
  for (const order of ['newest-first', 'oldest-first'] as const) {
    it(`${order}: a run with nothing new makes the minimum of calls; new records cost a page per 50`, async () => {
      await withEmulator(quietFleet({ order, live: { invocationsPerMinute: 3 } }), async (emu) => {
        await withArchiveRoot(async (root) => {
          await crawlOnce(emu, root);
          const instances = emu.admin.instances().filter((i) => !i.releasedAt).length;
          const idle = await crawlOnce(emu, root);
          expect(idle.outcome).toBe('complete');
          expect(idle.callsByAction).toEqual({
            ListRegions: 1,
            ListInstances: 2,
            DescribeInvocations: instances,
            DescribeInvocationResult: 0,
          });
          // Two hours later: about 360 new records.
          const before = emu.admin.groundTruth().length;
          emu.admin.advance(2 * HOUR);
          const added = emu.admin.groundTruth().slice(before);
          const perInstance = new Map<string, number>();
          for (const t of added) perInstance.set(t.instanceId, (perInstance.get(t.instanceId) ?? 0) + 1);
          const floor = instances + [...perInstance.values()].reduce((s, n) => s + Math.ceil(n / 50), 0);
          const busy = await crawlOnce(emu, root);
          expect(busy.outcome).toBe('complete');
          expect(busy.recordsNew).toBe(added.length);
          // Oldest-first, a walk reads the edge's old page, then back from the last page down to it: that
          // page twice for each instance that received records.
          const twice = order === 'oldest-first' ? perInstance.size : 0;
          expect(busy.callsByAction.DescribeInvocations).toBeLessThanOrEqual(
            Math.ceil(1.1 * floor) + 1 + twice,
          );
          expect(await archiveVersusTruth(emu, root)).toEqual([]);
        });
      });
    });
  }

  it('reports a gap when records expired before a run could read them', async () => {
    await withEmulator(quietFleet({ live: { invocationsPerMinute: 1 } }), async (emu) => {
      await withArchiveRoot(async (root) => {
        await crawlOnce(emu, root);
        emu.admin.advance(20 * 24 * HOUR);
        const late = await crawlOnce(emu, root);
        expect(late.outcome).toBe('partial');
        expect(late.gaps.length).toBeGreaterThan(0);
        expect(new Set(late.gaps.map((g) => g.gapReason))).toEqual(new Set(['expired-unseen']));
        for (const g of late.gaps) expect(g.gapStart?.getTime()).toBeLessThan(g.gapEnd?.getTime() ?? 0);
        expect(await archiveVersusTruth(emu, root)).toEqual([]);
      });
    });
  });

  it('names a gap left by the record cap rotating', async () => {
    await withEmulator(
      quietFleet({ retention: { maxRecords: 200 }, live: { invocationsPerMinute: 10 } }),
      async (emu) => {
        await withArchiveRoot(async (root) => {
          await crawlOnce(emu, root);
          emu.admin.advance(2 * HOUR);
          const report = await crawlOnce(emu, root);
          expect(report.outcome).toBe('partial');
          expect(report.gaps.length).toBeGreaterThan(0);
          expect(new Set(report.gaps.map((g) => g.gapReason))).toEqual(new Set(['cap-rotated']));
          expect(await archiveVersusTruth(emu, root)).toEqual([]);
        });
      },
    );
  });

  it('records an instance released between runs, with a gap after its last archived record', async () => {
    await withEmulator(quietFleet(), async (emu) => {
      await withArchiveRoot(async (root) => {
        await crawlOnce(emu, root);
        const gone = emu.admin.instances()[0]?.instanceId ?? '';
        emu.admin.release(gone);
        const report = await crawlOnce(emu, root);
        expect(report.released).toEqual([expect.objectContaining({ instanceId: gone })]);
        expect(report.gaps.map((g) => [g.instanceId, g.gapReason])).toEqual([[gone, 'released']]);
        // Reported once, not on every later run.
        const later = await crawlOnce(emu, root);
        expect(later.released).toEqual([]);
        expect(later.outcome).toBe('complete');
      });
    });
  });
});

describe('results', () => {
  it('fetches the result of each invocation that became final, once', async () => {
    await withEmulator(
      quietFleet({ fleet: { regions: 1, instancesPerRegion: 2, invocations: 120, windowsShare: 1 } }),
      async (emu) => {
        await withArchiveRoot(async (root) => {
          const first = await crawlOnce(emu, root, { withResults: true });
          const final = emu.admin.groundTruth().filter((t) => t.invokeStatus !== 'Running');
          expect(first.callsByAction.DescribeInvocationResult).toBe(final.length);
          const again = await crawlOnce(emu, root, { withResults: true });
          expect(again.callsByAction.DescribeInvocationResult).toBe(0);
          const archived = await archivedInvocations(root);
          const withOutput = [...archived.values()].filter((r) => r.exit_code !== null);
          expect(withOutput.length).toBe(final.length);
          // Windows consoles write GBK: the bytes are kept when they are not UTF-8.
          expect([...archived.values()].some((r) => typeof r.output_base64 === 'string')).toBe(true);
        });
      },
    );
  });
});
