import { CRASH_POINTS } from '@swas-archive/archive';
import type { RunningEmulator } from '@swas-archive/emulator';
import { describe, expect, it } from 'vitest';
import { withArchiveRoot, withEmulator } from '../helpers/harness.js';
import {
  type ArchiveRunOptions,
  proveComplete,
  readerSeesWholeSnapshots,
  runArchiveJob,
  SOAK,
  seeded,
} from './reliability-harness.js';

/** Invocations in the fleet: enough pages that a run lasts a couple of seconds under `slowRun`'s budget. */
const RECORDS = 2000;

/** One region of four instances, frozen (the truth cannot move): every difference is the archive's. */
const fleet = (seed: number) => ({
  seed,
  clock: { start: '2026-05-01T00:00:00Z', speed: 0 },
  fleet: { regions: 1, instancesPerRegion: 4, invocations: RECORDS },
});

/**
 * A run that lasts a few seconds and commits often: 44 pages at 25 a second, a commit every 0.4 s, and a
 * compaction whenever a partition reaches 3 files, so that a random instant falls in listing, paging,
 * staging, a commit or a compaction.
 */
const slowRun: ArchiveRunOptions = {
  flags: ['--budget', 'DescribeInvocations=1500', '--commit-interval', '0.4', '--log-level', 'debug'],
  config: { compaction: { above: 3 } },
};

/** Where a kill landed: the named commit step, or the last thing the run logged before the instant. */
function landedIn(stderr: string, step?: string): string {
  if (step) return step;
  const lines = stderr.trim().split('\n').filter(Boolean);
  const last = lines.at(-1);
  if (!last || !lines.some((l) => l.includes('archive-opened'))) return 'listing';
  try {
    return `after ${String((JSON.parse(last) as { msg?: string }).msg)}`;
  } catch {
    return 'paging';
  }
}

/** How many of the kills landed where `prefix` says. */
function count(kills: readonly string[], prefix: string): number {
  return kills.filter((k) => k.startsWith(prefix)).length;
}

/** Kills the archive job up to `chain` times in a row at seeded instants; adds where each kill landed. */
async function killChain(
  emu: RunningEmulator,
  root: string,
  random: () => number,
  kills: string[],
  chain: number,
) {
  for (let attempt = 0; attempt < chain; attempt++) {
    // Every other kill is at a named commit step: of a compaction (the first: not every run makes two)
    // while compactions have had no more kills than ingests, else of an ingest.
    const step = attempt % 2 === 1;
    const point = CRASH_POINTS[Math.floor(random() * CRASH_POINTS.length)] as string;
    const compaction = count(kills, 'compaction:') <= count(kills, 'ingest:');
    const spec = compaction ? `compaction:${point}@1` : `ingest:${point}@${1 + Math.floor(random() * 2)}`;
    const run = await runArchiveJob(emu, root, {
      ...slowRun,
      ...(step ? { env: { SWAS_ARCHIVE_CRASH_AT: spec } } : { stopAfterMs: 100 + random() * 2000 }),
    });
    if (run.signal !== 'SIGKILL') {
      // The run finished before the instant came (or never reached the step): it must have completed.
      expect(run.code, run.stderr).toBe(0);
      return;
    }
    kills.push(landedIn(run.stderr, step ? spec : undefined));
    // At once, before any rerun: a reader sees whole snapshots only.
    expect(await readerSeesWholeSnapshots(emu, root)).toEqual([]);
  }
}

describe('crash: the archive job killed (SIGKILL) at seeded instants, then rerun at once', () => {
  const wanted = SOAK ? 100 : 10;
  for (const seed of [1301]) {
    it(`seed ${seed}: ${wanted} kill points; nothing lost, duplicated or half-visible; verify clean; equal to the truth`, async () => {
      await withEmulator(fleet(seed), async (emu) => {
        const random = seeded(seed);
        const kills: string[] = [];
        let compared = 0;
        // Until enough kills have landed, of every kind (a chain ends early when a run beats its instant).
        const covered = () => ['listing', 'ingest:', 'compaction:'].every((k) => count(kills, k) > 0);
        // Two archives of five kills in the normal run, 17 of six under soak (a chain ends early if a run
        // completes, so up to three times as many archives may be needed).
        const archivesAtMost = 3 * Math.ceil(wanted / (SOAK ? 6 : 5));
        for (
          let archives = 0;
          (kills.length < wanted || !covered()) && archives < archivesAtMost;
          archives++
        ) {
          await withArchiveRoot(async (root) => {
            await killChain(emu, root, random, kills, SOAK ? 6 : 5);
            const rerun = await runArchiveJob(emu, root, {
              flags: ['--budget', 'DescribeInvocations=100000'],
            });
            expect(rerun.code, rerun.stderr).toBe(0);
            const proof = await proveComplete(emu, root);
            expect(proof.problems).toEqual([]);
            expect(proof.compared).toBe(RECORDS);
            compared += proof.compared;
          });
        }
        console.info(
          `crash seed ${seed}: ${kills.length} kills (${kills.join('; ')}), ${compared} rows compared`,
        );
        // The kills spread over the run: before the archive opened, while paging, and at commit steps.
        expect(kills.length).toBeGreaterThanOrEqual(wanted);
        expect(count(kills, 'listing')).toBeGreaterThan(0);
        expect(count(kills, 'ingest:')).toBeGreaterThan(0);
        expect(count(kills, 'compaction:')).toBeGreaterThan(0);
      });
    }, 1_800_000);
  }
});
