import { QuerySession } from '@swas-archive/query';
import { describe, expect, it } from 'vitest';
import { archivedInvocations, archiveVersusTruth, withArchiveRoot, withEmulator } from './helpers/harness.js';
import { runCli } from './helpers/run-cli.js';

const HOUR = 3_600_000;

describe('a gap over what a stopped run archived is split around it', () => {
  it('through the CLI: the lost records lie in the parts, no archived record inside one', async () => {
    // Frozen: time passes only when the test says so. Records live 12 h.
    const options = {
      seed: 23,
      clock: { start: '2026-05-01T00:00:00Z', speed: 0 },
      retention: { maxAgeMs: 12 * HOUR },
      fleet: { regions: 1, instancesPerRegion: 1, invocations: 120 },
    };
    await withEmulator(options, async (emu) => {
      await withArchiveRoot(async (root) => {
        const [instance] = emu.admin.instances();
        if (!instance) throw new Error('the fleet has one instance');
        const id = instance.instanceId;
        const commands = (count: number) => {
          for (let i = 0; i < count; i++) {
            emu.admin.advance(1000);
            emu.admin.runCommand(id, {
              name: 'n',
              type: 'RunShellScript',
              content: 'true',
              timeoutSeconds: 60,
            });
          }
        };
        const base = ['crawl', '--endpoint', emu.endpoint, '--data', root, '--retention-days', '0.5'];
        expect((await runCli(base, { emu })).code).toBe(0);
        // 600 new records; a run of 5 calls stops among the newest, and leaves a hole down to the edge.
        commands(600);
        const limited = await runCli([...base, '--budget', 'DescribeInvocations=5', '--max-duration', '5s'], {
          emu,
        });
        expect([0, 4]).toContain(limited.code);
        expect(limited.stderr).toContain('stopped at --max-duration');
        const stoppedRead = (await archivedInvocations(root)).size;
        // 300 more, then everything older than them expires: the hole, and what the stopped run read.
        commands(300);
        emu.admin.advance(12 * HOUR - 300_000 + 500);
        const last = await runCli(base, { emu });
        expect(last.code, last.stderr).toBe(4);

        const session = await QuerySession.open(root);
        const parts = (
          await session.run(
            `SELECT epoch_ms(gap_start) AS s, epoch_ms(gap_end) AS e FROM coverage
             WHERE gap_reason IS NOT NULL AND instance_id = $id ORDER BY gap_start`,
            { id },
          )
        ).rows.map((r) => [Number(r.s), Number(r.e)] as const);
        session.close();
        const archived = [...(await archivedInvocations(root)).values()].map((a) =>
          Date.parse(String(a.creation_time)),
        );
        // The stopped run read something, and its span splits the gap in two.
        expect(stoppedRead).toBeGreaterThan(120);
        expect(parts.length).toBeGreaterThanOrEqual(2);
        expect(archived.filter((t) => parts.some(([s, e]) => s < t && t < e))).toEqual([]);
        // Every lost record lies in a part; everything still held is archived exactly.
        expect(await archiveVersusTruth(emu, root)).toEqual([]);
        const lost = emu.admin.groundTruth().filter((t) => t.instanceId === id && t.expiredAt).length;
        expect(lost).toBeGreaterThan(stoppedRead);
      });
    });
  }, 120_000);
});
