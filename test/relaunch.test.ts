import { readFile } from 'node:fs/promises';
import { LAUNCHER_PID_ENV as ARCHIVE_LAUNCHER_PID_ENV } from '@swas-archive/archive';
import { describe, expect, it } from 'vitest';
import { LAUNCHER_PID_ENV, shouldRelaunch, userSetHeap } from '../packages/cli/src/relaunch.js';
import { withArchiveRoot, withEmulator } from './helpers/harness.js';
import { runCli } from './helpers/run-cli.js';

describe('a crawl sets the memory it needs itself', () => {
  it('the launcher names itself to the archive under the name the archive reads', () => {
    expect(LAUNCHER_PID_ENV).toBe(ARCHIVE_LAUNCHER_PID_ENV);
  });

  it('relaunches only commands that crawl, once, and never over a heap setting of the user', () => {
    expect(shouldRelaunch(['crawl', '--data', 'x'], {}, [])).toBe(true);
    expect(shouldRelaunch(['run', 'archive'], {}, [])).toBe(true);
    expect(shouldRelaunch(['demo'], {}, [])).toBe(true);
    expect(shouldRelaunch(['run', 'failure-trends'], {}, [])).toBe(false);
    expect(shouldRelaunch(['query', 'SELECT 1'], {}, [])).toBe(false);
    expect(shouldRelaunch(['crawl'], { SWAS_ARCHIVE_RELAUNCHED: '1' }, [])).toBe(false);
    expect(shouldRelaunch(['crawl'], {}, ['--max-old-space-size=1024'])).toBe(false);
    expect(shouldRelaunch(['crawl'], { NODE_OPTIONS: '--max_old_space_size=900' }, [])).toBe(false);
    expect(userSetHeap([], '--max-semi-space-size=8 --enable-source-maps')).toBe(true);
    expect(userSetHeap(['--enable-source-maps'], '--trace-warnings')).toBe(false);
  });

  it("a terminal's Ctrl-C reaches both processes: one graceful stop, exit 130", async () => {
    const fleet = {
      seed: 41,
      clock: { speed: 0 },
      fleet: { regions: 1, instancesPerRegion: 4, invocations: 8000 },
    };
    await withEmulator(fleet, async (emu) => {
      await withArchiveRoot(async (root) => {
        let pids: number[] = [];
        const r = await runCli(
          ['crawl', '--endpoint', emu.endpoint, '--data', root, '--budget', 'DescribeInvocations=60'],
          {
            emu,
            onSpawn: (child) =>
              setTimeout(async () => {
                const pid = child.pid as number;
                const kids = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8');
                pids = [pid, ...kids.split(/\s+/).filter(Boolean).map(Number)];
                // As a terminal does: the same signal to every process of the foreground group at once.
                for (const p of pids) process.kill(p, 'SIGINT');
              }, 5000),
          },
        );
        expect(pids).toHaveLength(2); // the command and the crawl it runs
        expect(r.code).toBe(130);
        expect(r.stderr).toMatch(/stopped by SIGINT: \d+ new and \d+ changed invocations are kept/);
        expect(r.stderr).not.toMatch(/again: stopping at once/);
      });
    });
  }, 60_000);
});
