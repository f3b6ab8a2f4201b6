import type { AccessKeyConfig, RunningEmulator } from '@swas-archive/emulator';
import { type ArchiveJobOptions, archiveJob } from '@swas-archive/pipelines';
import { describe, expect, it } from 'vitest';
import { withArchiveRoot, withEmulator } from '../helpers/harness.js';
import { proveComplete, SOAK } from './reliability-harness.js';

/** The archive job in this process (the wiring the bin uses), with the emulator's key. */
function jobOf(emu: RunningEmulator, root: string, extra: Partial<ArchiveJobOptions> = {}) {
  return archiveJob({
    root,
    accounts: [{ name: 'acct', credentials: emu.credentials[0] as AccessKeyConfig }],
    endpoint: emu.endpoint,
    budgets: { callsPerMinute: { DescribeInvocations: 1_000_000, ListInstances: 1000, ListRegions: 1000 } },
    ...extra,
  });
}

describe('big instances: nothing depends on the number of records per instance', () => {
  // 160,000 made the crawl exit 1 once (`Math.min(...)` over every record seen overflowed the stack).
  const records = SOAK ? 500_000 : 160_000;
  it(`one instance holding ${records.toLocaleString('en')} records, archived in one run, row by row`, async () => {
    const options = {
      seed: 91,
      clock: { start: '2026-05-01T00:00:00Z', speed: 0 },
      fleet: { regions: 1, instancesPerRegion: 1, invocations: records },
      retention: { maxRecords: records * 2 },
    };
    await withEmulator(options, async (emu) => {
      expect(emu.admin.instances()[0]?.held).toBe(records);
      await withArchiveRoot(async (root) => {
        const { report } = await jobOf(emu, root, { commitEvery: 100_000 });
        expect(report.outcome, String(report.error)).toBe('complete');
        expect(report.recordsNew).toBe(records);
        const proof = await proveComplete(emu, root);
        expect(proof.problems).toEqual([]);
        expect(proof.compared).toBe(records);
        console.info(`big instance: ${proof.compared} records on one instance compared`);
      });
    });
  }, 900_000);

  it('a busy instance under a tight budget: records arrive and rotate out while it is paged; beyond the cap in all', async () => {
    const cap = 150;
    const options = {
      seed: 92,
      clock: { start: '2026-05-01T00:00:00Z', speed: 60 },
      fleet: { regions: 1, instancesPerRegion: 1, invocations: cap },
      retention: { maxRecords: cap },
      // A virtual minute a real second: 20 new records (and 20 rotated out) a real second.
      live: { invocationsPerMinute: 20 },
    };
    await withEmulator(options, async (emu) => {
      await withArchiveRoot(async (root) => {
        const since = emu.admin.now();
        // One page a second (the budget counts per window): each page has moved by 20 records.
        const tight = {
          budgets: {
            callsPerMinute: { DescribeInvocations: 1, ListInstances: 1000, ListRegions: 1000 },
            windowMs: 1000,
          },
          commitIntervalMs: 1000,
        };
        const first = await jobOf(emu, root, tight);
        // The oldest records rotated out faster than the walk reached them: a gap says so (a partial run).
        expect(first.report.outcome, String(first.report.error)).toBe('partial');
        expect(first.report.gaps.map((g) => g.gapReason)).toEqual(['expired-during-crawl']);
        await new Promise((r) => setTimeout(r, 1000)); // 20 more arrive, 20 more rotate out
        emu.admin.setClockSpeed(0); // then the truth stands still for the second run to be checked exactly
        const second = await jobOf(emu, root, tight);
        // What rotated out between the runs before either read it is a gap of this run: partial again.
        expect(second.report.error).toBeUndefined();
        expect(second.report.incomplete).toEqual([]);
        const proof = await proveComplete(emu, root, since);
        expect(proof.problems).toEqual([]);
        const ever = emu.admin.groundTruth().length;
        // The archive holds more records of the instance than the service ever held at once.
        expect(proof.compared).toBeGreaterThan(cap);
        console.info(
          `busy instance: cap ${cap}, ${ever} ever held, ${proof.compared} archived (${first.report.recordsNew} + ${second.report.recordsNew}), gaps ${[...first.report.gaps, ...second.report.gaps].map((g) => g.gapReason).join(', ')}`,
        );
      });
    });
  }, 300_000);
});
