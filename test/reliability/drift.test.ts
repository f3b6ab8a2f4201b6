import { describe, expect, it } from 'vitest';
import { withArchiveRoot, withEmulator } from '../helpers/harness.js';
import { proveComplete, runArchiveJob, SOAK, seeded } from './reliability-harness.js';

describe('drift: the fleet changes while the archive job runs', () => {
  for (const seed of SOAK ? [41, 42, 43, 44] : [41]) {
    it(`seed ${seed}: invocations created and finished, an instance released mid-run; one more run and the archive equals the truth`, async () => {
      const fleet = {
        seed,
        clock: { start: '2026-05-01T00:00:00Z', speed: 0 },
        fleet: { regions: 2, instancesPerRegion: 3, invocations: 2400 },
      };
      await withEmulator(fleet, async (emu) => {
        await withArchiveRoot(async (root) => {
          const random = seeded(seed);
          const since = emu.admin.now();
          const instances = emu.admin.instances().map((i) => i.instanceId);
          const released = instances[Math.floor(random() * instances.length)] as string;
          let created = 0;
          let releasedAt: number | undefined;
          let changes: NodeJS.Timeout | undefined;
          const first = await runArchiveJob(emu, root, {
            flags: ['--budget', 'DescribeInvocations=1200', '--commit-interval', '0.5'],
            onSpawn: () => {
              let tick = 0;
              changes = setInterval(() => {
                tick++;
                // New commands on live instances; virtual time passes, so running ones finish.
                for (const id of instances.filter((i) => i !== released || releasedAt === undefined)) {
                  if (random() < 0.5) {
                    emu.admin.runCommand(id, {
                      name: `drift-${tick}`,
                      type: 'RunShellScript',
                      content: random() < 0.2 ? 'exit 3' : `echo ${tick}`,
                      timeoutSeconds: 60,
                    });
                    created++;
                  }
                }
                emu.admin.advance(1500);
                // Released once the run has begun paging it: the rest of its pages vanish mid-walk.
                const paged = emu.admin
                  .requestLog()
                  .some((e) => e.action === 'DescribeInvocations' && e.instanceId === released);
                if (paged && releasedAt === undefined) {
                  emu.admin.release(released);
                  releasedAt = emu.admin.now();
                }
              }, 250);
            },
          });
          clearInterval(changes);
          // A released instance with records not yet archived is a gap (exit 4); anything else is not.
          expect([0, 4], first.stderr).toContain(first.code);
          expect(created).toBeGreaterThan(10);
          expect(releasedAt).toBeDefined();
          const second = await runArchiveJob(emu, root, {
            flags: ['--budget', 'DescribeInvocations=100000'],
          });
          // Released after the first run had walked it to the end, the instance's loss is found by this run:
          // then its `released` gap is the one thing reported (exit 4); otherwise nothing is (exit 0).
          expect([0, 4], second.stderr).toContain(second.code);
          if (second.code === 4) {
            const gaps = second.stderr.split('\n').filter((l) => l.includes('"type":"gap"'));
            expect(gaps.length, second.stderr).toBe(1);
            expect(gaps[0]).toContain(`"instanceId":"${released}"`);
            expect(gaps[0]).toContain('"reason":"released"');
          }
          const proof = await proveComplete(emu, root, since);
          expect(proof.problems).toEqual([]);
          // The released instance's records are archived (or inside its reported gap), the rest exactly.
          const held = emu.admin.groundTruth().filter((t) => !t.expiredAt).length;
          expect(proof.compared).toBeGreaterThanOrEqual(held);
          console.info(
            `drift seed ${seed}: ${created} created during the run, ${released} released, ${proof.compared} rows compared`,
          );
        });
      });
    }, 300_000);
  }
});
