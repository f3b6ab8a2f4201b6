import type { AccessKeyConfig, EmulatorOptions, RunningEmulator } from '@swas-archive/emulator';
import { type ArchiveJobOptions, archiveJob } from '@swas-archive/pipelines';
import { describe, expect, it } from 'vitest';
import { archiveVersusTruth, busiestWindow, withArchiveRoot, withEmulator } from '../helpers/harness.js';
import { runCli } from '../helpers/run-cli.js';
import { proveComplete, runArchiveJob, SOAK } from './reliability-harness.js';

/** Two regions of three instances, frozen, so that the truth is exact. */
const fleet = (seed: number, extra: EmulatorOptions = {}): EmulatorOptions => ({
  seed,
  clock: { start: '2026-05-01T00:00:00Z', speed: 0 },
  fleet: { regions: 2, instancesPerRegion: 3, invocations: 1200 },
  ...extra,
});

/** The archive job in this process (the wiring the bin uses), with the emulator's key. */
function jobOf(emu: RunningEmulator, root: string, extra: Partial<ArchiveJobOptions> = {}) {
  return archiveJob({
    root,
    accounts: [{ name: 'acct', credentials: emu.credentials[0] as AccessKeyConfig }],
    endpoint: emu.endpoint,
    timeoutMs: 1000,
    budgets: { callsPerMinute: { DescribeInvocations: 100_000, ListInstances: 1000, ListRegions: 1000 } },
    ...extra,
  });
}

describe('chaos: faults the service really has', () => {
  for (const seed of SOAK ? [31, 32, 33, 34, 35, 36, 37, 38] : [31, 32, 33]) {
    it(`fault profile chaos, seed ${seed}: every spoiled answer retried, the archive equal to the truth`, async () => {
      await withEmulator(fleet(seed, { faults: { profile: 'chaos', trickleMs: 1500 } }), async (emu) => {
        await withArchiveRoot(async (root) => {
          const { report } = await jobOf(emu, root);
          expect(report.outcome, String(report.error)).toBe('complete');
          const spoiled = emu.admin.requestLog().filter((e) => e.fault !== undefined);
          expect(spoiled.length).toBeGreaterThan(0);
          expect(report.retries).toBeGreaterThanOrEqual(spoiled.filter((e) => e.fault !== 'trickle').length);
          const proof = await proveComplete(emu, root);
          expect(proof.problems).toEqual([]);
          expect(proof.compared).toBe(1200);
          console.info(`chaos seed ${seed}: ${spoiled.length} faults, ${proof.compared} rows compared`);
        });
      });
    });
  }

  it('throttling exactly at the budget: never refused, never over it in any window, everything archived', async () => {
    const windowMs = 1500;
    const budgets = { perAction: { DescribeInvocations: 8 }, windowMs };
    await withEmulator(fleet(34, { budgets }), async (emu) => {
      await withArchiveRoot(async (root) => {
        const { report } = await jobOf(emu, root, {
          budgets: {
            callsPerMinute: { DescribeInvocations: 8, ListInstances: 1000, ListRegions: 1000 },
            windowMs,
            // The margin for a call's time in flight (1 s of 60 in production): 100 ms let a loaded machine
            // deliver a call late enough that the server counted 9 in one window.
            safetyMs: 500,
          },
        });
        expect(report.outcome).toBe('complete');
        expect(report.throttles).toBe(0);
        expect(emu.admin.requestLog().filter((e) => e.outcome.startsWith('Throttling'))).toEqual([]);
        expect(report.callsByAction.DescribeInvocations).toBeGreaterThan(3 * 8);
        expect(busiestWindow(emu, 'DescribeInvocations', windowMs)).toBe(8);
        expect(await archiveVersusTruth(emu, root)).toEqual([]);
      });
    });
  });

  it('trickling and truncated bodies: slower than the timeout or cut in half, each retried until whole', async () => {
    const faults = {
      trickleMs: 2500,
      actions: {
        DescribeInvocations: { truncate: 0.15, trickle: 0.1 },
        ListInstances: { truncate: 0.3, trickle: 0.2 },
      },
    };
    await withEmulator(fleet(35, { faults }), async (emu) => {
      await withArchiveRoot(async (root) => {
        const { report } = await jobOf(emu, root);
        expect(report.outcome, String(report.error)).toBe('complete');
        const kinds = new Set(emu.admin.requestLog().map((e) => e.fault));
        expect([kinds.has('truncate'), kinds.has('trickle')]).toEqual([true, true]);
        expect(report.retries).toBeGreaterThan(0);
        expect((await proveComplete(emu, root)).problems).toEqual([]);
      });
    });
  });

  it('an instance whose calls are accepted and never answered: the run ends, exit 4 naming it; the others are whole', async () => {
    await withEmulator(fleet(36), async (emu) => {
      const hung = emu.admin.instances()[1]?.instanceId as string;
      emu.admin.setFaults({ instances: { [hung]: { hang: 1 } } });
      await withArchiveRoot(async (root) => {
        // Two attempts a call: the bound is what matters here, not the crawler's default of six.
        const run = await runArchiveJob(emu, root, { flags: ['--timeout-ms', '400', '--retries', '2'] });
        expect(run.code, run.stderr).toBe(4);
        expect(run.stdout).toMatch(
          new RegExp(`incomplete default/[\\w-]+/${hung}: .*(timed out|timeout)`, 'i'),
        );
        // Each hung call was given up after the timeout and retried once (--retries 2), no more.
        const calls = emu.admin.requestLog().filter((e) => e.fault === 'hang').length;
        expect(calls).toBeGreaterThan(1);
        expect(calls % 2).toBe(0);
        expect(calls).toBeLessThanOrEqual(4);
        // Every other instance is archived exactly; the hung one is not, and its gap says why.
        const problems = await archiveVersusTruth(emu, root);
        expect(problems.filter((p) => !p.includes(hung))).toEqual([]);
        expect(problems.length).toBe(emu.admin.groundTruth().filter((t) => t.instanceId === hung).length);
        const gaps = await runArchiveGaps(root);
        expect(gaps).toMatch(new RegExp(`${hung}.*instance-failed`));
      });
    });
  });
});

/** `swas-archive gaps --data root` as text. */
async function runArchiveGaps(root: string): Promise<string> {
  const r = await runCli(['gaps', '--data', root]);
  return r.stdout + r.stderr;
}
