import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { QuerySession } from '@swas-archive/query';
// @ts-expect-error: the library ships no types; it returns families of samples.
import parsePrometheus from 'parse-prometheus-text-format';
import { describe, expect, it } from 'vitest';
import { withArchiveRoot, withEmulator } from './helpers/harness.js';
import { runCli } from './helpers/run-cli.js';

interface Family {
  name: string;
  metrics: { value: string; labels?: Record<string, string> }[];
}

const HOUR = 3_600_000;

describe('metrics and health: records not archived and those at risk within 24 h', () => {
  it('a time-limited first walk leaves the oldest records unarchived: the metrics and health count them as the service holds them', async () => {
    // Records live 12 h (emulator and archive agree): every record not archived expires within 24 h.
    // The emulator's clock is frozen, so nothing expires or arrives while the test runs.
    const options = {
      seed: 14,
      clock: { speed: 0 },
      retention: { maxAgeMs: 12 * HOUR },
      fleet: { regions: 1, instancesPerRegion: 2, invocations: 3000 },
    };
    await withEmulator(options, async (emu) => {
      await withArchiveRoot(async (root) => {
        const [busy, quiet] = emu.admin.instances().sort((a, b) => b.held - a.held);
        if (!busy || !quiet) throw new Error('the fleet has two instances');
        const base = ['crawl', '--endpoint', emu.endpoint, '--data', root, '--retention-days', '0.5'];
        // The quiet instance in full, then the busy one from a budget of 5 pages within 5 s.
        expect((await runCli([...base, '--instances', quiet.instanceId], { emu })).code).toBe(0);
        const metrics = join(root, '..', `${root.split('/').pop()}.prom`);
        const limited = await runCli(
          [...base, '--budget', 'DescribeInvocations=5', '--max-duration', '5s', '--metrics-file', metrics],
          { emu },
        );
        expect([0, 4]).toContain(limited.code);
        // What the archive holds of the busy instance, and what the service still holds.
        const session = await QuerySession.open(root);
        const archived = Number(
          (
            await session.run(
              'SELECT count(DISTINCT invoke_id) AS n FROM invocation_observations WHERE instance_id = $id',
              { id: busy.instanceId },
            )
          ).rows[0]?.n,
        );
        session.close();
        const unarchived =
          emu.admin.groundTruth().filter((i) => i.instanceId === busy.instanceId && i.expiredAt === undefined)
            .length - archived;
        expect(archived).toBeGreaterThan(0);
        expect(unarchived).toBeGreaterThan(0);

        const families = parsePrometheus(await readFile(metrics, 'utf8')) as Family[];
        const samples = (name: string) =>
          families.find((f) => f.name === `swas_archive_${name}`)?.metrics ?? [];
        const value = (name: string) => Number(samples(name)[0]?.value);
        // An estimate from the cursors: the hole the stopped walk left is spread evenly over its creation
        // times, less the part past the retention by this host's clock (which runs on while the emulator's
        // stands still), so it may round to one record either side of the truth.
        const estimated = value('records_unarchived');
        expect(Math.abs(estimated - unarchived)).toBeLessThanOrEqual(1);
        expect(value('records_at_risk_24h')).toBe(estimated);
        // The oldest record not archived is at the retention's edge.
        expect(value('unarchived_age_retention_ratio')).toBeCloseTo(1, 3);
        // One series per instance behind: the busy one only (the quiet one was read to its end).
        expect(samples('instance_records_at_risk_24h')).toEqual([
          {
            value: String(estimated),
            labels: { account: 'default', region: busy.regionId, instance: busy.instanceId },
          },
        ]);
        expect(value('instances_unarchived')).toBe(1);

        const health = [...['health', '--data', root, '--retention-days', '0.5', '--max-at-risk', '1']];
        const unhealthy = await runCli([...health, '--json']);
        expect(unhealthy.code).toBe(8);
        const verdict = JSON.parse(unhealthy.stdout) as { recordsAtRisk24h: number; problems: string[] };
        expect(Math.abs(verdict.recordsAtRisk24h - unarchived)).toBeLessThanOrEqual(1);
        const atRisk = verdict.recordsAtRisk24h;
        expect(verdict.problems.join('\n')).toMatch(
          new RegExp(`about ${atRisk} record\\(s\\) not archived expire within 24 h \\(limit 0\\)`),
        );
        const tolerant = await runCli([...health, '--max-records-at-risk', String(atRisk + 1)]);
        expect(tolerant.code).toBe(0);
        expect(tolerant.stdout).toMatch(
          new RegExp(
            `^healthy \\(.*\\)\\noldest record not archived 12 h old \\(1.00 of the retention\\), (${atRisk}|${atRisk + 1}|${atRisk - 1}) record\\(s\\) not archived expire within 24 h\\n$`,
          ),
        );
      });
    });
  }, 60_000);
});
