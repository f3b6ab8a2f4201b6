import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openArchive } from '@swas-archive/archive';
import type { RunningEmulator } from '@swas-archive/emulator';
import { describe, expect, it } from 'vitest';
import { withArchiveRoot, withEmulator } from './helpers/harness.js';

const BIN = fileURLToPath(new URL('../packages/cli/src/bin.ts', import.meta.url));

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `swas-archive` (from source) with the emulator's key in the environment, as a user would. */
async function cli(
  args: string[],
  emu?: RunningEmulator,
  env: Record<string, string> = {},
): Promise<CliResult> {
  const key = emu?.credentials[0];
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=@swas-archive/source', BIN, ...args],
    {
      env: {
        PATH: process.env.PATH,
        HOME: '/nonexistent',
        ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true',
        ...(key
          ? {
              ALIBABA_CLOUD_ACCESS_KEY_ID: key.accessKeyId,
              ALIBABA_CLOUD_ACCESS_KEY_SECRET: key.accessKeySecret,
            }
          : {}),
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const [code] = (await once(child, 'exit')) as [number];
  return { code, stdout, stderr };
}

const fleet = {
  seed: 31,
  clock: { start: '2026-05-01T00:00:00Z', speed: 0 },
  fleet: { regions: 2, instancesPerRegion: 2, invocations: 300 },
};

describe('swas-archive CLI', () => {
  it('crawl exits 0 when complete; query prints only the result; verify checks the files', async () => {
    await withEmulator(fleet, async (emu) => {
      await withArchiveRoot(async (root) => {
        const crawl = await cli(['crawl', '--endpoint', emu.endpoint, '--data', root], emu);
        expect(crawl.code).toBe(0);
        expect(crawl.stdout).toMatch(/ complete: 4\/4 instances complete, 300 new/);
        const json = await cli(
          [
            'query',
            '--data',
            root,
            '--format',
            'json',
            'SELECT invoke_id, invocation_status FROM invocations ORDER BY invoke_id',
          ],
          emu,
        );
        expect(json.code).toBe(0);
        const rows = JSON.parse(json.stdout) as { invoke_id: string; invocation_status: string }[];
        const truth = emu.admin.groundTruth().sort((a, b) => (a.invokeId < b.invokeId ? -1 : 1));
        expect(rows).toEqual(
          truth.map((t) => ({ invoke_id: t.invokeId, invocation_status: t.invocationStatus })),
        );
        const csv = await cli(
          [
            'query',
            '--data',
            root,
            '--format',
            'csv',
            'SELECT region_id, count(*) AS n FROM invocations GROUP BY 1 ORDER BY 1',
          ],
          emu,
        );
        expect(csv.stdout.split('\n')[0]).toBe('region_id,n');
        const table = await cli(
          ['query', '--data', root, 'SELECT count(*) AS n FROM invocation_history'],
          emu,
        );
        expect(table.stdout).toMatch(/│ 300 │/);
        const verify = await cli(['verify', '--data', root]);
        expect(verify.code).toBe(0);
        // Every dataset's rows: 300 observations, 300 latest states, the daily counts, coverage and runs.
        const verified = /^ok: \d+ files, (\d+) rows/.exec(verify.stdout);
        expect(Number(verified?.[1])).toBeGreaterThan(600);
      });
    });
  });

  it('crawl exits 4 when an instance could not be archived, naming it', async () => {
    await withEmulator(fleet, async (emu) => {
      const broken = emu.admin.instances()[0]?.instanceId ?? '';
      emu.admin.setFaults({ instances: { [broken]: { serviceUnavailable: 1 } } });
      await withArchiveRoot(async (root) => {
        const r = await cli(
          ['crawl', '--endpoint', emu.endpoint, '--data', root, '--timeout-ms', '2000'],
          emu,
        );
        expect(r.code).toBe(4);
        expect(r.stdout).toMatch(new RegExp(`incomplete default/[a-z-]+/${broken}: .*ServiceUnavailable`));
        expect(r.stdout).toMatch(new RegExp(`gap default/[a-z-]+/${broken} \\(instance-failed\\)`));
      });
    });
  }, 120_000);

  it('crawl exits 3 on a wrong secret, says what to check, and never prints the secret', async () => {
    await withEmulator(fleet, async (emu) => {
      await withArchiveRoot(async (root) => {
        const secret = 'a-wrong-secret-that-must-not-leak';
        const r = await cli(['crawl', '--endpoint', emu.endpoint, '--data', root], emu, {
          ALIBABA_CLOUD_ACCESS_KEY_SECRET: secret,
        });
        expect(r.code).toBe(3);
        expect(r.stderr).toMatch(
          /access key secret does not match .* check ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET/,
        );
        expect(r.stdout + r.stderr).not.toContain(secret);
        // A run that cannot start writes nothing: no catalog, no run row.
        await expect(readFile(join(root, 'catalog.json'), 'utf8')).rejects.toThrow(/ENOENT/);
      });
    });
  });

  it('crawl exits 5 while another run holds the archive', async () => {
    await withEmulator(fleet, async (emu) => {
      await withArchiveRoot(async (root) => {
        const holder = await openArchive({ root });
        try {
          const r = await cli(['crawl', '--endpoint', emu.endpoint, '--data', root], emu);
          expect(r.code).toBe(5);
          expect(r.stderr).toMatch(/another swas-archive writer holds the archive/);
        } finally {
          await holder.close();
        }
      });
    });
  });

  it('demo runs the whole job on the built-in emulator', async () => {
    await withArchiveRoot(async (root) => {
      const r = await cli(['demo', '--data', join(root, 'demo'), '--no-keep']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/first crawl .*: complete, 6003 new and 0 changed invocations archived/);
      // The three commands running at the first crawl finished during the emulated day.
      expect(r.stdout).toMatch(/second crawl .*: complete, \d+ new and 3 changed/);
      expect(r.stdout).toMatch(/the 8 most failing of \d+ commands/);
      expect(r.stdout).toMatch(/│ deploy-app +│ \d+ +│ [\d.]+ +│/);
    });
  });

  it("the demo's archive is in the machine's time: health passes and a report of the last days holds all", async () => {
    await withArchiveRoot(async (root) => {
      const data = join(root, 'demo');
      expect((await cli(['demo', '--data', data])).code).toBe(0);
      const health = await cli(['health', '--data', data]);
      expect(health.code, health.stdout + health.stderr).toBe(0);
      const all = await cli([
        'query',
        '--data',
        data,
        '--format',
        'csv',
        'SELECT count(*) AS n FROM invocations',
      ]);
      const report = await cli([
        'report',
        'status-mix',
        '--data',
        data,
        '--since',
        '20d',
        '--format',
        'json',
      ]);
      const rows = (JSON.parse(report.stdout) as { rows: { count: number }[] }).rows;
      expect(rows.reduce((n, r) => n + r.count, 0)).toBe(Number(all.stdout.split('\n')[1]));
    });
  });

  it('exits 2 on bad usage, with one line saying what to fix', async () => {
    await withArchiveRoot(async (root) => {
      const cases: [string[], RegExp][] = [
        [['crawl', '--budget', 'DescribeInvocations'], /expected Action=N/],
        [['crawl', '--budget', 'Everything=5', '--data', root], /unknown action Everything/],
        [['crawl', '--endpoint', 'ftp://x', '--data', root], /endpoint.*http\(s\):\/\/host/],
        [['query', '--data', join(root, 'none'), 'SELECT 1'], /no archive at .*: run `swas-archive crawl/],
        [['compact', '--data', root, '--min-files', '1'], /--min-files must be an integer >= 2/],
        [['plan', '--data', root, '--every', '0h'], /--every must be longer than 0/],
        [['report', 'failure-rate', '--data', root, '--since', '2026-02-30'], /since must be a date/],
        [['frobnicate'], /unknown command/],
      ];
      for (const [args, message] of cases) {
        const r = await cli(args);
        expect([args.join(' '), r.code]).toEqual([args.join(' '), 2]);
        expect(r.stderr).toMatch(message);
        expect(r.stdout).toBe('');
      }
    });
  });

  it('compact merges small files atomically and keeps every row; a second run has nothing to do', async () => {
    await withEmulator(fleet, async (emu) => {
      await withArchiveRoot(async (root) => {
        expect((await cli(['crawl', '--endpoint', emu.endpoint, '--data', root], emu)).code).toBe(0);
        emu.admin.advance(3_600_000);
        expect((await cli(['crawl', '--endpoint', emu.endpoint, '--data', root], emu)).code).toBe(0);
        const count = 'SELECT count(*) AS n FROM invocation_history';
        const before = (await cli(['query', '--data', root, '--format', 'csv', count])).stdout;
        const r = await cli(['compact', '--data', root]);
        expect(r.code).toBe(0);
        expect(r.stdout).toMatch(/^compacted \d+ partition\(s\): \d+ files into \d+, \d+ rows kept/);
        expect((await cli(['query', '--data', root, '--format', 'csv', count])).stdout).toBe(before);
        expect((await cli(['verify', '--data', root])).code).toBe(0);
        expect((await cli(['compact', '--data', root])).stdout).toMatch(/^nothing to compact/);
      });
    });
  });

  it('verify exits 6 naming a damaged file', async () => {
    await withEmulator(fleet, async (emu) => {
      await withArchiveRoot(async (root) => {
        expect((await cli(['crawl', '--endpoint', emu.endpoint, '--data', root], emu)).code).toBe(0);
        const { files } = JSON.parse(await readFile(join(root, 'catalog.json'), 'utf8')) as {
          files: { path: string }[];
        };
        const victim = files[0]?.path ?? '';
        const handle = await open(join(root, victim), 'r+');
        await handle.write(Buffer.from([0x00, 0x00, 0x00]), 0, 3, 100);
        await handle.close();
        const r = await cli(['verify', '--data', root]);
        expect(r.code).toBe(6);
        expect(r.stdout).toContain(`corrupt ${victim}`);
      });
    });
  });
});
