import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, statfs, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CRASH_POINTS } from '@swas-archive/archive';
import type { RunningEmulator } from '@swas-archive/emulator';
import { QuerySession } from '@swas-archive/query';
import { describe, expect, it } from 'vitest';
import { archivedRow, truthRow, withArchiveRoot, withEmulator } from '../helpers/harness.js';
import { type ArchiveRunOptions, proveComplete, runArchiveJob, verifyCli } from './reliability-harness.js';

const fleet = {
  seed: 111,
  clock: { start: '2026-05-01T00:00:00Z', speed: 0 },
  fleet: { regions: 1, instancesPerRegion: 2, invocations: 400 },
};
const FAST = [
  '--with-results',
  '--budget',
  'DescribeInvocations=6000',
  '--budget',
  'DescribeInvocationResult=6000',
];

/** Every invocation as a reader sees it now (its listing fields), by invoke id. */
async function readerView(root: string): Promise<Map<string, string>> {
  const session = await QuerySession.open(root);
  try {
    const { rows } = await session.run('SELECT * FROM invocations');
    return new Map(rows.map((r) => [String(r.invoke_id), JSON.stringify(archivedRow(r))]));
  } finally {
    session.close();
  }
}

/**
 * What a reader sees after a failed run, against the one before it: nothing lost, and every row either as it
 * was or exactly as the emulator holds it (a run's earlier commits may have gone through). Returns what is not.
 */
async function wholeSnapshot(
  emu: RunningEmulator,
  root: string,
  before: Map<string, string>,
): Promise<string[]> {
  const truth = new Map(emu.admin.groundTruth().map((t) => [t.invokeId, JSON.stringify(truthRow(t))]));
  const seen = await readerView(root);
  const problems = [...before.keys()].filter((id) => !seen.has(id)).map((id) => `lost ${id}`);
  for (const [id, row] of seen)
    if (row !== before.get(id) && row !== truth.get(id)) problems.push(`neither old nor true: ${row}`);
  return problems;
}

/** New commands on each instance, finished: the next run has rows to commit, results and outputs included. */
function moreWork(emu: RunningEmulator, n: number, outputBytes = 0): void {
  for (const { instanceId } of emu.admin.instances())
    for (let i = 0; i < n; i++)
      emu.admin.seedInvocation(instanceId, {
        name: `job-${emu.admin.now()}-${i}`,
        type: 'RunShellScript',
        content: 'echo work',
        // Random text: it does not compress, so it takes its size on disk.
        output: Buffer.from(`${randomBytes(outputBytes).toString('base64').slice(0, outputBytes)}\n`),
      });
  emu.admin.advance(600_000);
}

/** A run that failed on its disk: exit 1, the error named with what to do, and readers see whole snapshots. */
async function expectDiskFailure(
  emu: RunningEmulator,
  root: string,
  before: Map<string, string>,
  run: { code: number | null; stderr: string },
  kind: RegExp,
) {
  expect(run.code, run.stderr).toBe(1);
  expect(run.stderr).toMatch(kind);
  expect(run.stderr).toMatch(/run again/);
  expect(await wholeSnapshot(emu, root, before)).toEqual([]);
}

describe('disk: a write that fails at each step of a commit (injected: runs everywhere)', () => {
  it('ENOSPC and EROFS at every commit step: exit 1 saying so, the previous state whole, the next run completes', async () => {
    await withEmulator(fleet, async (emu) => {
      await withArchiveRoot(async (root) => {
        expect((await runArchiveJob(emu, root, { flags: FAST })).code).toBe(0);
        for (const [i, point] of CRASH_POINTS.entries()) {
          const errno = i % 2 === 0 ? 'ENOSPC' : 'EROFS';
          moreWork(emu, 3);
          const before = await readerView(root);
          const run = await runArchiveJob(emu, root, {
            flags: FAST,
            env: { SWAS_ARCHIVE_FAIL_AT: point, SWAS_ARCHIVE_FAIL_ERRNO: errno },
          });
          await expectDiskFailure(emu, root, before, run, errno === 'ENOSPC' ? /is full/ : /is read-only/);
          const made = CRASH_POINTS.indexOf(point) >= CRASH_POINTS.indexOf('committed');
          expect(run.stderr, point).toMatch(made ? /the commit was made/ : /this commit was not made/);
        }
        const last = await runArchiveJob(emu, root, { flags: FAST });
        expect(last.code, last.stderr).toBe(0);
        const proof = await proveComplete(emu, root);
        expect(proof.problems).toEqual([]);
        console.info(
          `disk (injected): ${CRASH_POINTS.length} failed commits, ${proof.compared} rows compared`,
        );
      });
    });
  }, 300_000);
});

/** Whether this process may mount a tmpfs (root, and a kernel and container that allow it). */
async function canMount(): Promise<boolean> {
  const dir = await mkdtemp(join(tmpdir(), 'swas-mount-check-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir], { stdio: 'ignore' });
    execFileSync('umount', [dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const MOUNT = await canMount();
if (!MOUNT)
  console.warn('disk: cannot mount a tmpfs here (not root, or not allowed): the tmpfs tests are skipped');

/** Runs `fn` with a tmpfs of `size` mounted on a new folder, unmounted and removed afterwards. */
async function withTmpfs<T>(size: string, fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'swas-tmpfs-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
  try {
    return await fn(dir);
  } finally {
    execFileSync('umount', ['-l', dir]);
    await rm(dir, { recursive: true, force: true });
  }
}

describe.skipIf(!MOUNT)('disk: a real small tmpfs (root only)', () => {
  it('fills up during a commit: exit 1 "is full", the previous state whole and verified, then a run completes once there is room', async () => {
    await withEmulator(fleet, async (emu) => {
      await withTmpfs('16m', async (dir) => {
        const root = join(dir, 'archive');
        await mkdir(root);
        expect((await runArchiveJob(emu, root, { flags: FAST })).code).toBe(0);
        moreWork(emu, 10, 100_000); // about 2 MB of outputs to commit
        const before = await readerView(root);
        // Leave 256 KiB: the next commit's files and journal do not fit.
        const free = await statfs(dir);
        const filler = join(dir, 'filler');
        await writeFile(filler, Buffer.alloc(Math.max(0, free.bavail * free.bsize - 256 * 1024)));
        const run = await runArchiveJob(emu, root, { flags: FAST });
        await expectDiskFailure(emu, root, before, run, /is full/);
        expect((await verifyCli(root)).code).toBe(0);
        await rm(filler);
        const again = await runArchiveJob(emu, root, { flags: FAST });
        expect(again.code, again.stderr).toBe(0);
        expect((await proveComplete(emu, root)).problems).toEqual([]);
      });
    });
  }, 300_000);

  it('turns read-only while a run commits: exit 1 "is read-only", the previous state whole, then a run completes once writable', async () => {
    await withEmulator(fleet, async (emu) => {
      await withTmpfs('64m', async (dir) => {
        const root = join(dir, 'archive');
        await mkdir(root);
        expect((await runArchiveJob(emu, root, { flags: FAST })).code).toBe(0);
        moreWork(emu, 10);
        const before = await readerView(root);
        // Remounted read-only as soon as the run has opened the archive: its first commit meets it.
        const slow: ArchiveRunOptions = {
          flags: [...FAST, '--log-format', 'json', '--log-level', 'debug'],
          onSpawn: (child) => {
            let done = false;
            child.stderr?.on('data', (d: Buffer) => {
              if (done || !d.toString().includes('archive-opened')) return;
              done = true;
              execFileSync('mount', ['-o', 'remount,ro', dir]);
            });
          },
        };
        const run = await runArchiveJob(emu, root, slow);
        await expectDiskFailure(emu, root, before, run, /is read-only/);
        execFileSync('mount', ['-o', 'remount,rw', dir]);
        const again = await runArchiveJob(emu, root, { flags: FAST });
        expect(again.code, again.stderr).toBe(0);
        expect((await proveComplete(emu, root)).problems).toEqual([]);
      });
    });
  }, 300_000);
});
