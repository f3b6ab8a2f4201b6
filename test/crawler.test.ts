import { AuthenticationError } from '@swas-archive/client';
import { type FaultProfileName, type RunningEmulator } from '@swas-archive/emulator';
import { describe, expect, it } from 'vitest';
import { archiveVersusTruth, clientOf, crawlOnce, withArchiveRoot, withEmulator } from './helpers/harness.js';

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
            const spoiled = emu.admin.requestLog().filter((e) => e.fault !== undefined && (e.fault !== 'trickle' || e.seq <= firstCalls));
            expect(first.retries + second.retries).toBeGreaterThanOrEqual(spoiled.length);
            if (profile === 'chaos') expect(spoiled.length).toBeGreaterThan(0);
          });
        });
      });
    }
  }
});
