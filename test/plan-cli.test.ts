import { describe, expect, it } from 'vitest';
import { withArchiveRoot, withEmulator } from './helpers/harness.js';
import { runCli } from './helpers/run-cli.js';

interface PlanJson {
  keepsUp: boolean;
  headroom: number;
  regions: {
    account: string;
    regionId: string;
    instances: number;
    busy: number;
    lifetimeMs: number;
    minimum: Record<string, number>;
    budget: Record<string, number>;
    headroom: number;
    problems: string[];
  }[];
  atRisk: { instanceId: string; deadline: number | null }[];
}

describe('swas-archive plan', () => {
  it('names the minimum per region and action, parses as JSON, and exits 8 only when the budgets cannot keep up', async () => {
    // A busy fleet: 3,000 records over the last 2 hours (the emulator keeps them that long) in two regions.
    const fleet = {
      seed: 5,
      clock: { speed: 0 },
      retention: { maxAgeMs: 2 * 3_600_000 },
      fleet: { regions: 2, instancesPerRegion: 2, invocations: 3000 },
    };
    await withEmulator(fleet, async (emu) => {
      await withArchiveRoot(async (root) => {
        const crawl = [
          'crawl',
          '--endpoint',
          emu.endpoint,
          '--data',
          root,
          '--budget',
          'DescribeInvocations=100000',
        ];
        expect((await runCli(crawl, { emu })).code).toBe(0);
        const plan = ['plan', '--data', root, '--every', '6h', '--max-duration', '1h'];
        const ok = await runCli(plan);
        expect([ok.code, ok.stderr]).toEqual([0, '']);
        expect(ok.stdout).toMatch(/^keeps up: headroom \d+\.\d\d/);
        for (const r of emu.admin.instances().map((i) => i.regionId))
          expect(ok.stdout).toMatch(
            new RegExp(
              `default/${r}: 2 instances .*\\n  DescribeInvocations: minimum \\d+\\.\\d{3}/min, budget \\d+/min`,
            ),
          );
        const json = await runCli([...plan, '--json']);
        expect(json.code).toBe(0);
        const parsed = JSON.parse(json.stdout) as PlanJson;
        expect(parsed.keepsUp).toBe(true);
        expect(parsed.regions).toHaveLength(2);
        for (const r of parsed.regions) {
          expect(r.instances).toBe(2);
          expect(r.minimum.DescribeInvocations).toBeGreaterThan(0);
          expect(r.headroom).toBeCloseTo(
            Math.min(
              ...Object.keys(r.minimum)
                .filter((a) => (r.minimum[a] ?? 0) > 0)
                .map((a) => (r.budget[a] ?? 0) / (r.minimum[a] ?? 1)),
            ),
            6,
          );
        }
        expect(parsed.atRisk).toHaveLength(4);
        // The tightest region's minimum, with a budget below it: cannot keep up.
        const need = Math.max(...parsed.regions.map((r) => r.minimum.DescribeInvocations ?? 0));
        const short = await runCli([...plan, '--budget', 'DescribeInvocations=1', '--json']);
        const shortPlan = JSON.parse(short.stdout) as PlanJson;
        expect([short.code, shortPlan.keepsUp]).toEqual([8, false]);
        expect(shortPlan.headroom).toBeLessThan(1);
        const text = await runCli([...plan, '--budget', 'DescribeInvocations=1']);
        expect(text.code).toBe(8);
        expect(text.stdout).toMatch(/^CANNOT KEEP UP: headroom 0\.\d\d/);
        // A budget at the minimum (rounded up) keeps up.
        const enough = await runCli([...plan, '--budget', `DescribeInvocations=${Math.ceil(need)}`]);
        expect(enough.code).toBe(0);
      });
    });
  }, 60_000);

  it('asks more of an oldest-first listing: a visit with new records reads the old edge page and the last', async () => {
    const minimumOf = async (order: 'newest-first' | 'oldest-first') => {
      const fleet = {
        ...{ seed: 5, clock: { speed: 0 }, order, retention: { maxAgeMs: 2 * 3_600_000 } },
        fleet: { regions: 1, instancesPerRegion: 2, invocations: 3000 },
      };
      return withEmulator(fleet, (emu) =>
        withArchiveRoot(async (root) => {
          const crawl = ['crawl', '--endpoint', emu.endpoint, '--data', root];
          expect((await runCli([...crawl, '--budget', 'DescribeInvocations=100000'], { emu })).code).toBe(0);
          const plan = await runCli([
            'plan',
            '--data',
            root,
            '--every',
            '6h',
            '--max-duration',
            '1h',
            '--json',
          ]);
          return (JSON.parse(plan.stdout) as PlanJson).regions[0]?.minimum.DescribeInvocations ?? 0;
        }),
      );
    };
    const newest = await minimumOf('newest-first');
    const oldest = await minimumOf('oldest-first');
    expect(newest).toBeGreaterThan(0);
    expect(oldest).toBeGreaterThan(newest);
  }, 60_000);
});
