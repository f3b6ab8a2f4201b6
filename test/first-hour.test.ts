import { chmod, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openArchive } from '@swas-archive/archive';
import { describe, expect, it } from 'vitest';
import { withArchiveRoot, withEmulator } from './helpers/harness.js';
import { CLI_BIN, runCli } from './helpers/run-cli.js';

const REPO = fileURLToPath(new URL('..', import.meta.url));

describe('demo only ever removes what it created', () => {
  it('refuses a folder that holds something else, and leaves it as it was', async () => {
    await withArchiveRoot(async (dir) => {
      await writeFile(join(dir, 'notes.txt'), 'n\n');
      const r = await runCli(['demo', '--data', dir]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/exists and is not a demo archive \(it holds notes\.txt\)/);
      expect(await readdir(dir)).toEqual(['notes.txt']);
      expect(await readFile(join(dir, 'notes.txt'), 'utf8')).toBe('n\n');
    });
  });

  it('refuses a previous demo archive that a run holds (exit 5), touching nothing', async () => {
    await withArchiveRoot(async (dir) => {
      const root = join(dir, 'demo');
      expect((await runCli(['demo', '--data', root])).code).toBe(0);
      const before = (await readdir(root)).sort();
      const holder = await openArchive({ root });
      try {
        const r = await runCli(['demo', '--data', root]);
        expect(r.code).toBe(5);
        expect(r.stderr).toMatch(/another swas-archive writer holds the archive/);
      } finally {
        await holder.close();
      }
      expect((await readdir(root)).sort()).toEqual(before);
    });
  });

  it('reuses its own archive, and --no-keep removes only what it wrote', async () => {
    await withArchiveRoot(async (dir) => {
      const root = join(dir, 'demo');
      expect((await runCli(['demo', '--data', root])).code).toBe(0);
      await writeFile(join(root, 'mine.txt'), 'keep me\n');
      const r = await runCli(['demo', '--data', root, '--no-keep']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/removed now: --no-keep/);
      expect(await readdir(root)).toEqual(['mine.txt']);
    });
  });
});

describe('running it from where the user is', () => {
  it('resolves a relative --data against the folder pnpm was run from, and prints it absolute', async () => {
    const cwd = await mkdtemp(join(REPO, 'data', 'first-hour-'));
    try {
      expect((await runCli(['demo', '--data', join(cwd, 'demo')])).code).toBe(0);
      const r = await runCli(
        ['--silent', 'swas-archive', 'query', '--data', 'demo', 'SELECT count(*) AS n FROM runs'],
        {
          command: ['pnpm'],
          cwd,
        },
      );
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/│ 2 │/);
      const missing = await runCli(
        ['--silent', 'swas-archive', 'query', '--data', 'nothing-here', 'SELECT 1'],
        {
          command: ['pnpm'],
          cwd,
        },
      );
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain(`no archive at ${join(cwd, 'nothing-here')}`);
    } finally {
      await rm(cwd, { recursive: true, force: true });
    }
  });

  it("the demo's closing hint works as printed, with swas-archive put on the PATH as the README says", async () => {
    const bin = await mkdtemp(join(tmpdir(), 'swas-bin-'));
    try {
      // The README's way: a link to the built bin in a folder on the PATH.
      await symlink(CLI_BIN, join(bin, 'swas-archive'));
      const PATH = `${bin}:${process.env.PATH}`;
      await withArchiveRoot(async (dir) => {
        const demo = await runCli(['demo', '--data', join(dir, 'demo')], {
          command: ['swas-archive'],
          env: { PATH },
        });
        expect(demo.code).toBe(0);
        const hint = /^try: (.+)$/m.exec(demo.stdout)?.[1] ?? '';
        expect(hint).toMatch(/^swas-archive query --data /);
        const r = await runCli(['-c', hint], { command: ['sh'], env: { PATH }, cwd: tmpdir() });
        expect(r.code).toBe(0);
        expect(r.stdout).toMatch(/\(5 rows\)/);
      });
      // Run without the PATH, the hint names the bin itself.
      await withArchiveRoot(async (dir) => {
        const demo = await runCli(['demo', '--data', join(dir, 'demo')]);
        const hint = /^try: (.+)$/m.exec(demo.stdout)?.[1] ?? '';
        expect(hint).toContain(`node ${CLI_BIN} query`);
        expect((await runCli(['-c', hint], { command: ['sh'] })).code).toBe(0);
      });
    } finally {
      await rm(bin, { recursive: true, force: true });
    }
  });
});

describe('help answers the first questions', () => {
  it('shows defaults, the budgetable actions, the credential variables and two examples; fits 80 columns', async () => {
    const crawl = (await runCli(['crawl', '--help'])).stdout;
    for (const a of [
      'ListRegions=10',
      'ListInstances=30',
      'DescribeInvocations=120',
      'DescribeInvocationResult=120',
    ])
      expect(crawl).toContain(a);
    expect(crawl).toMatch(/ALIBABA_CLOUD_ACCESS_KEY_ID/);
    expect(crawl).toMatch(/--timeout-ms <ms> +time allowed for one API call \(default: 20000\)/);
    const demo = (await runCli(['demo', '--help'])).stdout;
    expect(demo).toMatch(/Removes only what a previous demo wrote/);
    for (const command of ['crawl', 'query', 'verify', 'demo']) {
      const help = (await runCli([command, '--help'])).stdout;
      expect(help.match(/^ {2}swas-archive /gm), command).toHaveLength(2);
      for (const line of help.split('\n')) expect(line.length, `${command}: ${line}`).toBeLessThanOrEqual(80);
    }
    const top = (await runCli(['--help'])).stdout;
    expect(top).toMatch(/^ {2}7 +the service could not be reached/m);
    for (const line of top.split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);
  });
});

describe('a --data that cannot hold an archive is a configuration error, said at once', () => {
  /** Who runs the CLI in these tests: root is never refused a write, so root runs it as `nobody`. */
  const user = process.getuid?.() === 0 ? { uid: 65534 } : {};

  it('a file, a path under a file, a pseudo-filesystem, a folder without write permission: exit 2 naming it', async () => {
    await withArchiveRoot(async (dir) => {
      await chmod(dir, 0o755);
      const file = join(dir, 'a-file');
      await writeFile(file, 'x');
      const locked = join(dir, 'read-only');
      await mkdir(locked, { mode: 0o555 });
      const cases: [string, RegExp][] = [
        [file, /a-file is a file, not a folder/],
        [join(file, 'sub'), /a-file is a file, not a folder/],
        ['/proc/anything', /cannot use \/proc for the archive at \/proc\/anything: .*pseudo-filesystem/],
        [locked, /cannot write in .*read-only for the archive at .*: permission denied/],
        [join(locked, 'new'), /cannot create folders in .*read-only .*: permission denied/],
      ];
      for (const [data, message] of cases) {
        const r = await runCli(['crawl', '--endpoint', 'http://127.0.0.1:1', '--data', data], {
          ...user,
          env: {
            ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI5tSomeKey',
            ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'some-secret',
          },
        });
        expect([data, r.code]).toEqual([data, 2]);
        expect(r.stderr).toMatch(message);
        expect(r.stderr).not.toMatch(/unexpected error|ListRegions/);
      }
      expect(await readdir(locked)).toEqual([]);
    });
  });
});

describe('--with-results fills in what earlier runs archived without results', () => {
  it('fetches the missing results of final invocations still held, and says how many had expired', async () => {
    await withEmulator(
      {
        seed: 52,
        clock: { start: '2026-05-01T00:00:00Z', speed: 0 },
        fleet: { regions: 1, instancesPerRegion: 3, invocations: 600 },
      },
      async (emu) => {
        await withArchiveRoot(async (root) => {
          const args = [
            'crawl',
            '--endpoint',
            emu.endpoint,
            '--data',
            root,
            '--budget',
            'DescribeInvocationResult=100000',
          ];
          expect((await runCli(args, { emu })).code).toBe(0);
          // Two hours pass: the oldest records leave the service's two weeks before their results are asked for.
          emu.admin.advance(2 * 3_600_000);
          const before = emu.admin.requestLog().length;
          const r = await runCli([...args, '--with-results'], { emu });
          expect(r.code).toBe(0);
          const asked = emu.admin
            .requestLog()
            .slice(before)
            .filter((e) => e.action === 'DescribeInvocationResult');
          const truth = emu.admin.groundTruth();
          const held = truth.filter(
            (t) => !t.expiredAt && !['Pending', 'Running', 'Stopping'].includes(t.invocationStatus),
          );
          const expired = truth.filter((t) => t.expiredAt);
          expect(expired.length).toBeGreaterThan(0);
          expect(asked.length).toBeGreaterThanOrEqual(held.length);
          const said = new RegExp(
            `archived without them: ${held.length} fetched, (\\d+) no longer held`,
          ).exec(r.stdout);
          expect(said, r.stdout).not.toBeNull();
          // Those that expired during the two hours were asked for, and the service said they are gone.
          expect(Number(said?.[1])).toBeGreaterThan(0);
          const q = await runCli(
            [
              'query',
              '--data',
              root,
              '--format',
              'json',
              'SELECT invoke_id, exit_code FROM invocations WHERE exit_code IS NOT NULL',
            ],
            {},
          );
          const withCode = new Map(
            (JSON.parse(q.stdout) as { invoke_id: string; exit_code: number }[]).map((x) => [
              x.invoke_id,
              x.exit_code,
            ]),
          );
          for (const t of held) expect(withCode.get(t.invokeId), t.invokeId).toBe(t.exitCode);
        });
      },
    );
  }, 120_000);
});

describe('honest progress for slow work', () => {
  it('says once that a budget holds the run back, with the calls left and the flag that raises it', async () => {
    await withEmulator(
      {
        seed: 61,
        clock: { start: '2026-05-01T00:00:00Z', speed: 0 },
        fleet: { regions: 1, instancesPerRegion: 2, invocations: 400 },
      },
      async (emu) => {
        await withArchiveRoot(async (root) => {
          const r = await runCli(
            [
              'crawl',
              '--endpoint',
              emu.endpoint,
              '--data',
              root,
              '--with-results',
              '--budget',
              'DescribeInvocationResult=20',
            ],
            { emu, onSpawn: (child) => setTimeout(() => child.kill('SIGINT'), 26_000) },
          );
          expect(r.code).toBe(130);
          const said =
            r.stderr.match(/DescribeInvocationResult is held back by its budget of 20 calls a minute/g) ?? [];
          expect(said).toHaveLength(1);
          expect(r.stderr).toMatch(
            /about \d+ calls left, about \d+ min; raise it with --budget DescribeInvocationResult=N/,
          );
          // The ETA counts the results still to fetch at 20 a minute: well over ten minutes.
          const etas = [...r.stderr.matchAll(/"etaS":(\d+)/g)].map((m) => Number(m[1]));
          expect(Math.max(...etas)).toBeGreaterThan(600);
        });
      },
    );
  }, 120_000);
});
