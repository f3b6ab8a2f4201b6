import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { archivedInvocations, withArchiveRoot, withEmulator } from '../helpers/harness.js';
import {
  proveComplete,
  readerSeesWholeSnapshots,
  runArchiveJob,
  SOAK,
  seeded,
} from './reliability-harness.js';

const fleet = {
  seed: 1302,
  clock: { start: '2026-05-01T00:00:00Z', speed: 0 },
  fleet: { regions: 1, instancesPerRegion: 4, invocations: 3000 },
  // A budget allows a burst of its whole minute at once: the pages' latency is what makes a run last (61 pages,
  // 4 in flight, 250 ms each: about 4 s), so that every instant below falls inside the work left.
  faults: { actions: { DescribeInvocations: { latencyMs: 250 } } },
};

const STATUS = { SIGINT: 130, SIGTERM: 143 } as const;

describe('interrupt: SIGINT and SIGTERM at seeded instants', () => {
  for (const seed of SOAK ? [1302, 1303, 1304, 1305] : [1302]) {
    it(`seed ${seed}: exit 130/143, what was read is committed, the rerun completes equal to the truth`, async () => {
      await withEmulator({ ...fleet, seed }, async (emu) => {
        await withArchiveRoot(async (root) => {
          const random = seeded(seed);
          let stopped = 0;
          for (let i = 0; i < (SOAK ? 12 : 4); i++) {
            const signal = i % 2 === 0 ? 'SIGINT' : 'SIGTERM';
            const before = (await archivedInvocations(root).catch(() => new Map())).size;
            const run = await runArchiveJob(emu, root, {
              flags: ['--budget', 'DescribeInvocations=1200', '--commit-interval', '0.5'],
              // The instant counts from the first log line: the bin has its handlers by then.
              onSpawn: (child) => {
                void once(child.stderr as NodeJS.ReadableStream, 'data').then(() =>
                  setTimeout(() => child.kill(signal), 50 + random() * 2500),
                );
              },
            });
            if (run.code === 0) break; // the run was over before the instant came
            expect(run.code, run.stderr).toBe(STATUS[signal]);
            const kept = new RegExp(
              `stopped by ${signal}: (\\d+) new and (\\d+) changed invocations are kept`,
            ).exec(run.stderr);
            expect(kept, run.stderr).not.toBeNull();
            // Every invocation the run says it read is committed, and readers see whole snapshots.
            const after = (await archivedInvocations(root).catch(() => new Map())).size;
            expect(after - before).toBe(Number(kept?.[1]));
            expect(await readerSeesWholeSnapshots(emu, root)).toEqual([]);
            stopped++;
          }
          expect(stopped).toBeGreaterThanOrEqual(2);
          const rerun = await runArchiveJob(emu, root, { flags: ['--budget', 'DescribeInvocations=100000'] });
          expect(rerun.code, rerun.stderr).toBe(0);
          const proof = await proveComplete(emu, root);
          expect(proof.problems).toEqual([]);
          expect(proof.compared).toBe(3000);
          console.info(`interrupt seed ${seed}: ${stopped} stops, ${proof.compared} rows compared`);
        });
      });
    }, 600_000);
  }
});
