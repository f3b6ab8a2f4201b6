import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openArchive } from '@swas-archive/archive';
import type { RunningEmulator } from '@swas-archive/emulator';
// @ts-expect-error: the library ships no types; it returns families of samples.
import parsePrometheus from 'parse-prometheus-text-format';
import { describe, expect, it } from 'vitest';
import { withArchiveRoot, withEmulator } from './helpers/harness.js';
import { runCli } from './helpers/run-cli.js';

const fleet = {
  seed: 71,
  clock: { start: '2026-05-01T00:00:00Z', speed: 0 },
  fleet: { regions: 2, instancesPerRegion: 2, invocations: 400 },
};

interface Family {
  name: string;
  metrics: { value: string; labels?: Record<string, string> }[];
}

async function withFolder<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'swas-ops-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const writeConfig = (dir: string, config: unknown) =>
  writeFile(join(dir, 'swas-archive.config.json'), JSON.stringify(config, null, 2));

describe('the config file', () => {
  it('is found where the command runs; its paths are taken from its folder; flags win', async () => {
    await withEmulator(fleet, async (emu) => {
      await withFolder(async (dir) => {
        await writeConfig(dir, {
          archive: 'my-archive',
          endpoint: emu.endpoint,
          accounts: [{ name: 'ops' }],
          budgets: { callsPerMinute: { DescribeInvocations: 100000 } },
          metricsFile: 'swas.prom',
        });
        const r = await runCli(['run', 'archive', '--json'], { emu, cwd: dir });
        expect(r.code).toBe(0);
        const report = JSON.parse(r.stdout) as { accounts: string[] };
        expect(report.accounts).toEqual(['ops']);
        expect(await readFile(join(dir, 'my-archive', 'catalog.json'), 'utf8')).toContain(
          'invocation_observations',
        );
        expect(await readFile(join(dir, 'swas.prom'), 'utf8')).toContain('swas_archive_last_run_outcome');
        // A flag wins over the file.
        const other = await runCli(['crawl', '--account', 'flagged', '--json'], { emu, cwd: dir });
        expect((JSON.parse(other.stdout) as { accounts: string[] }).accounts).toEqual(['flagged']);
      });
    });
  });

  it('refuses unknown keys and bad values, naming the key, the value and what is expected (exit 2)', async () => {
    await withFolder(async (dir) => {
      const cases: [unknown, RegExp][] = [
        [{ budget: {} }, /unknown key "budget": remove it, or check its spelling/],
        [
          { budgets: { callsPerMinute: { DescribeInvocations: 0 } } },
          /budgets\.callsPerMinute\.DescribeInvocations: .*>=1.*, got 0/,
        ],
        [{ budgets: { callsPerMinute: { Everything: 5 } } }, /budgets\.callsPerMinute/],
        [{ accounts: [{ name: 'ops', secret: 'x' }] }, /unknown key "secret" in accounts\.0/],
        [{ commitInterval: 'soon' }, /commitInterval: a duration such as "90s".*got "soon"/],
      ];
      for (const [config, message] of cases) {
        await writeConfig(dir, config);
        const r = await runCli(['crawl', '--endpoint', 'http://127.0.0.1:1'], { cwd: dir });
        expect([JSON.stringify(config), r.code]).toEqual([JSON.stringify(config), 2]);
        expect(r.stderr).toMatch(message);
        expect(r.stderr).toContain(join(dir, 'swas-archive.config.json'));
      }
    });
  });
});

describe('for schedulers and on-call', () => {
  it('writes a metrics file that parses as Prometheus text, with the numbers of the run report', async () => {
    await withEmulator(fleet, async (emu) => {
      await withArchiveRoot(async (root) => {
        const metrics = join(root, '..', `${root.split('/').pop()}.prom`);
        const r = await runCli(
          ['crawl', '--endpoint', emu.endpoint, '--data', root, '--metrics-file', metrics, '--json'],
          { emu },
        );
        expect(r.code).toBe(0);
        const report = JSON.parse(r.stdout) as {
          recordsNew: number;
          callsByAction: Record<string, number>;
          outcome: string;
          finishedAt: string;
        };
        const families = parsePrometheus(await readFile(metrics, 'utf8')) as Family[];
        const value = (name: string, labels: Record<string, string> = {}) =>
          families
            .find((f) => f.name === `swas_archive_${name}`)
            ?.metrics.filter((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))
            .reduce((n, m) => n + Number(m.value), 0);
        expect(value('last_run_outcome', { outcome: 'complete' })).toBe(1);
        expect(value('last_run_records', { kind: 'new' })).toBe(report.recordsNew);
        expect(value('last_run_calls', { action: 'DescribeInvocations' })).toBe(
          report.callsByAction.DescribeInvocations,
        );
        expect(value('last_run_end_timestamp_seconds')).toBeCloseTo(Date.parse(report.finishedAt) / 1000, 3);
        expect(value('gaps_open')).toBe(0);
        expect(value('unarchived_age_retention_ratio')).toBeLessThan(0.01);
        await rm(metrics, { force: true });
      });
    });
  });

  it('health is fine after a complete run, and fails on a stale archive and on an open gap', async () => {
    await withEmulator(fleet, async (emu: RunningEmulator) => {
      await withArchiveRoot(async (root) => {
        expect((await runCli(['crawl', '--endpoint', emu.endpoint, '--data', root], { emu })).code).toBe(0);
        const ok = await runCli(['health', '--data', root]);
        expect(ok.code).toBe(0);
        expect(ok.stdout).toMatch(
          new RegExp(
            `^healthy \\(${root}\\)\\noldest record not archived \\d+ min old \\(0\\.00 of the retention\\), 0 record\\(s\\) not archived expire within 24 h\\n$`,
          ),
        );
        const stale = await runCli(['health', '--data', root, '--max-age', '0s']);
        expect(stale.code).toBe(8);
        expect(stale.stdout).toMatch(
          /^unhealthy: the last complete run ended .* ago .*: archival has stopped or keeps failing\n.*expire within 24 h\n$/,
        );
        // An instance released since: the next run finds a gap it cannot close.
        emu.admin.release(emu.admin.instances()[0]?.instanceId ?? '');
        expect((await runCli(['crawl', '--endpoint', emu.endpoint, '--data', root], { emu })).code).toBe(4);
        const gap = await runCli(['health', '--data', root, '--json']);
        expect(gap.code).toBe(8);
        expect((JSON.parse(gap.stdout) as { problems: string[] }).problems.join('\n')).toMatch(/1 open gap/);
        const listed = await runCli(['gaps', '--data', root, '--open', '--format', 'jsonl']);
        expect(listed.stdout.trim().split('\n')).toHaveLength(1);
        expect(listed.stdout).toMatch(/"reason":"released"/);
      });
    });
  });

  it('a crawl killed with SIGKILL: the next one takes its lock over at once, naming it; a live holder gives exit 5 at once', async () => {
    await withEmulator(
      { ...fleet, fleet: { regions: 1, instancesPerRegion: 4, invocations: 8000 } },
      async (emu) => {
        await withArchiveRoot(async (root) => {
          const args = [
            'crawl',
            '--endpoint',
            emu.endpoint,
            '--data',
            root,
            '--budget',
            'DescribeInvocations=30',
            '--commit-interval',
            '1',
          ];
          const killed = await runCli(args, {
            emu,
            onSpawn: (c) => setTimeout(() => c.kill('SIGKILL'), 4000),
          });
          expect(killed.signal).toBe('SIGKILL');
          const pid = (
            JSON.parse(await readFile(join(root, '.writer.lock.owner.json'), 'utf8')) as { pid: number }
          ).pid;
          const rerun = await runCli(
            ['crawl', '--endpoint', emu.endpoint, '--data', root, '--budget', 'DescribeInvocations=100000'],
            { emu },
          );
          expect(rerun.code).toBe(0);
          expect(rerun.stderr).toMatch(
            new RegExp(`took over the archive's lock from process ${pid} on .*, which is no longer running`),
          );
          const holder = await openArchive({ root });
          try {
            const locked = await runCli(['crawl', '--endpoint', emu.endpoint, '--data', root], { emu });
            expect(locked.code).toBe(5);
            expect(locked.stderr).toMatch(new RegExp(`process ${process.pid} on .*, since`));
          } finally {
            await holder.close();
          }
        });
      },
    );
  }, 60_000);

  it('stderr on a pipe holds no control codes', async () => {
    await withEmulator(fleet, async (emu) => {
      await withArchiveRoot(async (root) => {
        const r = await runCli(['crawl', '--endpoint', emu.endpoint, '--data', root], { emu });
        expect(r.code).toBe(0);
        expect(r.stderr.length).toBeGreaterThan(0);
        // biome-ignore lint/suspicious/noControlCharactersInRegex: the escape character is what is looked for
        expect(r.stderr).not.toMatch(/\x1b\[/);
      });
    });
  });
});
