import type { SwasClient } from '@swas-archive/client';
import { describe, expect, it } from 'vitest';
import { archiveVersusTruth, clientOf, crawlOnce, withArchiveRoot, withEmulator } from './helpers/harness.js';

describe('listing a region of several pages', () => {
  it('lists it again when an instance released between two pages shifted another past both', async () => {
    await withEmulator(
      {
        seed: 5,
        clock: { start: '2026-05-01T00:00:00Z', speed: 0 },
        fleet: { regions: 1, instancesPerRegion: 150, invocations: 300 },
      },
      async (emu) => {
        const instances = emu.admin.instances();
        const [released, shifted] = [instances[9], instances[100]];
        if (!released || !shifted) throw new Error('the fleet has fewer than 101 instances');
        // The 10th instance is released right after the first page was answered: the 101st moves onto it.
        const api: SwasClient = clientOf(emu);
        const listInstances = api.listInstances.bind(api);
        let calls = 0;
        api.listInstances = async (params) => {
          const page = await listInstances(params);
          if (++calls === 1) emu.admin.release(released.instanceId);
          return page;
        };
        await withArchiveRoot(async (root) => {
          const walked = new Set<string>();
          const report = await crawlOnce(emu, root, {
            accounts: [{ name: 'acct', api }],
            onEvent: (e) => {
              if (e.type === 'instance-done') walked.add(e.instanceId);
            },
          });
          // The released one was listed first: recorded as released, with its gap.
          expect(report.released).toEqual([expect.objectContaining({ instanceId: released.instanceId })]);
          expect(report.incomplete).toEqual([]);
          expect(walked.has(shifted.instanceId)).toBe(true);
          expect(walked.size).toBe(149);
          // Listed twice: the second listing (two pages) differed from the first; a third agreed with it.
          expect(calls).toBe(6);
          expect(await archiveVersusTruth(emu, root)).toEqual([]);
        });
      },
    );
  });
});

describe('a listing the client gave up on', () => {
  it('counts only the listing the run received: instances released before it are invisible, after it in gaps', async () => {
    await withEmulator(
      {
        seed: 301,
        order: 'newest-first',
        clock: { start: '2026-05-01T00:00:00Z', speed: 600 },
        fleet: { regions: 2, instancesPerRegion: 30, invocations: 1200 },
        live: { invocationsPerMinute: 4, releasesPerHour: 120 },
        // Half the listings answer after the client's 300 ms: it asks again, and instances go meanwhile.
        faults: { profile: 'none', actions: { ListInstances: { latencyMs: 300, jitterMs: 300 } } },
      },
      async (emu) => {
        await withArchiveRoot(async (root) => {
          const since = emu.admin.now();
          const first = await crawlOnce(emu, root, {}, 300);
          expect(first.error).toBeUndefined();
          emu.admin.setClockSpeed(0);
          const second = await crawlOnce(emu, root);
          expect(second.error).toBeUndefined();
          expect(first.released.length + second.released.length).toBeGreaterThan(0);
          expect(await archiveVersusTruth(emu, root, since)).toEqual([]);
        });
      },
    );
  });
});
