import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openArchive } from '@swas-archive/archive';
import type { RunningEmulator } from '@swas-archive/emulator';
import { describe, expect, it } from 'vitest';
import { archiveVersusTruth, withArchiveRoot, withEmulator } from './helpers/harness.js';
import { runCli } from './helpers/run-cli.js';

/** A fleet big enough that a crawl held to 60 pages a minute runs for minutes (300 pages). */
const fleet = {
  seed: 41,
  clock: { start: '2026-05-01T00:00:00Z', speed: 0 },
  fleet: { regions: 1, instancesPerRegion: 6, invocations: 15_000 },
};

const crawlArgs = (emu: RunningEmulator, root: string, ...extra: string[]) => [
  'crawl',
  '--endpoint',
  emu.endpoint,
  '--data',
  root,
  '--log-format',
  'json',
  ...extra,
];

/** Runs a crawl and sends it `signal` once it has archived something (after `afterMs`). */
async function crawlAndStop(emu: RunningEmulator, root: string, signal: NodeJS.Signals, afterMs: number) {
  return runCli(crawlArgs(emu, root, '--budget', 'DescribeInvocations=60', '--commit-interval', '1'), {
    emu,
    onSpawn: (child) => setTimeout(() => child.kill(signal), afterMs),
  });
}

const describeCalls = (emu: RunningEmulator) =>
  emu.admin.requestLog().filter((e) => e.action === 'DescribeInvocations').length;

describe('an interrupted crawl keeps what it read and the next run goes on from there', () => {
  for (const [signal, status] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    it(`${signal}: exit ${status}, says what was kept, releases the lock; the rerun completes without re-walking`, async () => {
      await withEmulator(fleet, async (emu) => {
        await withArchiveRoot(async (root) => {
          const stopped = await crawlAndStop(emu, root, signal, 6000);
          expect(stopped.code).toBe(status);
          expect(stopped.stderr).toMatch(
            new RegExp(`stopped by ${signal}: \\d+ new and \\d+ changed invocations are kept`),
          );
          const kept = JSON.parse(await readFile(join(root, 'catalog.json'), 'utf8')) as {
            files: { table: string; rows: number }[];
          };
          const rows = kept.files
            .filter((f) => f.table === 'invocation_observations')
            .reduce((n, f) => n + f.rows, 0);
          expect(rows).toBeGreaterThan(0);
          expect(rows).toBeLessThan(15_000);
          // The lock is free at once: a writer opens without waiting for it to go stale.
          await (await openArchive({ root })).close();
          const callsBefore = describeCalls(emu);
          const rerun = await runCli(crawlArgs(emu, root, '--budget', 'DescribeInvocations=100000'), { emu });
          expect(rerun.code).toBe(0);
          expect(await archiveVersusTruth(emu, root)).toEqual([]);
          // The rerun read what was left (and an overlap page per instance), not every page again.
          const rerunCalls = describeCalls(emu) - callsBefore;
          const fullWalk = Math.ceil(15_000 / 50) + 6;
          expect(rerunCalls).toBeLessThan(fullWalk - rows / 50 + 3 * 6);
        });
      });
    }, 120_000);
  }

  it('commits by time while it runs: killed outright, the files written so far are kept', async () => {
    await withEmulator(fleet, async (emu) => {
      await withArchiveRoot(async (root) => {
        // Killed once a commit by time has happened (not after a fixed time: on a loaded machine the two
        // processes of a crawl may take seconds to start).
        let committed = false;
        const killed = await runCli(
          crawlArgs(emu, root, '--budget', 'DescribeInvocations=60', '--commit-interval', '1'),
          {
            emu,
            onSpawn: (child) => {
              const poll = setInterval(async () => {
                const catalog = await readFile(join(root, 'catalog.json'), 'utf8').catch(() => '');
                if (!catalog.includes('invocation_observations')) return;
                clearInterval(poll);
                committed = true;
                child.kill('SIGKILL');
              }, 200);
              child.once('exit', () => clearInterval(poll));
            },
          },
        );
        expect(committed).toBe(true);
        expect(killed.signal).toBe('SIGKILL');
        const catalog = JSON.parse(await readFile(join(root, 'catalog.json'), 'utf8')) as {
          files: { table: string }[];
        };
        expect(catalog.files.some((f) => f.table === 'invocation_observations')).toBe(true);
      });
    });
  }, 120_000);
});

describe('a run that cannot start creates no archive', () => {
  it('an endpoint where nothing listens: says what is retried and why at once, ends with exit 7 naming it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'swas-unreachable-'));
    try {
      const root = join(dir, 'archive');
      const r = await runCli(['crawl', '--endpoint', 'http://127.0.0.1:1', '--data', root], {
        env: { ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI5tSomeKey', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'some-secret' },
      });
      expect(r.code).toBe(7);
      expect(r.stderr).toMatch(
        /ListRegions at http:\/\/127\.0\.0\.1:1 failed: connection refused.*\(attempt 1 of 6; retrying/,
      );
      expect(r.stderr).toMatch(/gave up after 5 retries: check --endpoint/);
      expect(r.stderr).not.toMatch(/unexpected error/);
      await expect(access(root)).rejects.toThrow(/ENOENT/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('no credentials at all: one line saying where the chain looked, exit 2, nothing created', async () => {
    await withEmulator(fleet, async (emu) => {
      const dir = await mkdtemp(join(tmpdir(), 'swas-nocred-'));
      try {
        const root = join(dir, 'archive');
        const r = await runCli(['crawl', '--endpoint', emu.endpoint, '--data', root, '--log-format', 'json']);
        expect(r.code).toBe(2);
        const error = r.stderr.split('\n').find((l) => l.includes('"level":50')) ?? '';
        expect(error).toMatch(/no Alibaba Cloud credentials found\. Looked in: the environment/);
        expect(r.stderr).not.toMatch(/undefined|getaddrinfo/);
        await expect(access(root)).rejects.toThrow(/ENOENT/);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });

  it('a region the account does not have: exit 2 naming the choices, nothing created', async () => {
    await withEmulator(fleet, async (emu) => {
      const dir = await mkdtemp(join(tmpdir(), 'swas-region-'));
      try {
        const root = join(dir, 'archive');
        const r = await runCli(['crawl', '--endpoint', emu.endpoint, '--data', root, '--regions', 'mars-1'], {
          emu,
        });
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(/region mars-1 is not offered to account default: choose from/);
        await expect(access(root)).rejects.toThrow(/ENOENT/);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });
});
