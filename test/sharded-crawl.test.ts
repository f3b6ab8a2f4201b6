import { shardOf } from '@swas-archive/crawler';
import { QuerySession } from '@swas-archive/query';
import { describe, expect, it } from 'vitest';
import { archiveVersusTruth, withArchiveRoot, withEmulator } from './helpers/harness.js';
import { runCli } from './helpers/run-cli.js';

const SHARDS = 3;

describe('sharded crawls', () => {
  it('3 workers in parallel, one archive: every (account, region) crawled by its one shard, the archive equal to the ground truth', async () => {
    const fleet = {
      seed: 61,
      clock: { start: '2026-06-01T00:00:00Z', speed: 0 },
      fleet: { regions: 6, instancesPerRegion: 2, invocations: 360 },
    };
    await withEmulator(fleet, async (emu) => {
      await withArchiveRoot(async (root) => {
        const worker = (i: number) =>
          runCli(
            [
              'crawl',
              '--endpoint',
              emu.endpoint,
              '--data',
              root,
              '--account',
              'acct',
              '--shard',
              `${i}/${SHARDS}`,
              '--budget',
              'DescribeInvocations=6000',
              '--budget',
              'ListInstances=600',
              '--commit-interval',
              '1',
              '--json',
              '--quiet',
            ],
            { emu },
          );
        const results = await Promise.all(Array.from({ length: SHARDS }, (_, i) => worker(i)));
        for (const r of results) {
          expect(r.stderr).toBe('');
          expect(r.code).toBe(0);
        }
        expect(await archiveVersusTruth(emu, root)).toEqual([]);
        const session = await QuerySession.open(root);
        try {
          // Each region's instances were covered by one run, the one of the shard the hash gives it.
          const { rows } = await session.run(
            'SELECT region_id, list(DISTINCT run_id) AS runs FROM coverage GROUP BY 1 ORDER BY 1',
          );
          const regions = [...new Set(emu.admin.instances().map((i) => i.regionId))].sort();
          expect(rows.map((r) => r.region_id)).toEqual(regions);
          for (const r of rows) {
            const shard = shardOf('acct', String(r.region_id), SHARDS);
            expect(r.runs).toEqual([expect.stringMatching(new RegExp(`-shard-${shard}-of-${SHARDS}$`))]);
          }
          const runs = await session.run('SELECT run_id FROM runs ORDER BY run_id');
          expect(runs.rows).toHaveLength(SHARDS);
        } finally {
          session.close();
        }
        // The API saw each region's instances listed by one worker only: no budget was shared.
        const listings = emu.admin
          .requestLog()
          .filter((e) => e.action === 'ListInstances' && e.outcome === 'ok');
        expect(new Set(listings.map((e) => e.regionId)).size).toBe(listings.length);
      });
    });
  });
});
