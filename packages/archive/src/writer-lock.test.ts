import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { openArchive } from './archive.js';
import { ArchiveLockedError } from './errors.js';
import { LAUNCHER_PID_ENV, launcherOf } from './lock-owner.js';
import { newTempRoot, removeTempRoots } from './testing/temp-archive.js';
import { LOCK_OWNER_FILE } from './writer-lock.js';

afterAll(removeTempRoots);

const child = fileURLToPath(new URL('./testing/commit-child.ts', import.meta.url));

/** A writer in another process, killed with SIGKILL in the middle of its commit. */
async function killedWriter(root: string): Promise<number> {
  const proc = spawn(process.execPath, ['--import', 'tsx', child, root, '50', '2026-11-21T10:00:00Z'], {
    env: { ...process.env, SWAS_ARCHIVE_CRASH_AT: 'staged' },
    stdio: 'ignore',
  });
  const [, signal] = (await once(proc, 'exit')) as [number | null, string | null];
  expect(signal).toBe('SIGKILL');
  return proc.pid as number;
}

describe('the writer lock', () => {
  it('is taken over at once when its holder died on this host, naming the dead holder', async () => {
    const root = await newTempRoot();
    const pid = await killedWriter(root);
    const owner = JSON.parse(await readFile(join(root, LOCK_OWNER_FILE), 'utf8')) as { pid: number };
    expect(owner.pid).toBe(pid);
    // No wait for the lock to go stale (30 s by default).
    const archive = await openArchive({ root });
    try {
      expect(archive.lockTakenOverFrom).toMatchObject({ pid });
    } finally {
      await archive.close();
    }
  });

  it('is refused at once while its holder lives, naming it; a holder on another host only once stale', async () => {
    const root = await newTempRoot();
    const holder = await openArchive({ root });
    try {
      const second = await openArchive({ root }).catch((e: unknown) => e);
      expect(second).toBeInstanceOf(ArchiveLockedError);
      expect((second as Error).message).toMatch(new RegExp(`process ${process.pid} on .*, since`));
      // The same lock, said to be held from another host: not taken over while it is refreshed.
      const path = join(root, LOCK_OWNER_FILE);
      const owner = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
      await writeFile(path, JSON.stringify({ ...owner, host: 'elsewhere', pid: 999_999 }));
      const third = await openArchive({ root }).catch((e: unknown) => e);
      expect(third).toBeInstanceOf(ArchiveLockedError);
      expect((third as Error).message).toMatch(
        /held from another host is taken over once it has not been refreshed for 30 s/,
      );
    } finally {
      await holder.close();
    }
  });

  it('waits for a holder to name itself: a lock taken just before its holder died is taken over at once', async () => {
    const root = await newTempRoot();
    const pid = await killedWriter(root);
    const path = join(root, LOCK_OWNER_FILE);
    const owner = await readFile(path, 'utf8');
    // As if the holder had been killed between taking the lock folder and naming itself, and its name
    // came in late: the opener judges the holder by its name once written, not "unnamed, alive".
    await rm(path);
    setTimeout(() => void writeFile(path, owner), 300);
    const archive = await openArchive({ root });
    try {
      expect(archive.lockTakenOverFrom).toMatchObject({ pid });
    } finally {
      await archive.close();
    }
  });
});

describe("a lock holder's launcher", () => {
  it('is named when it is the parent, or was and died (the holder was reparented); never a live stranger', async () => {
    const dead = spawn(process.execPath, ['-e', '0']);
    await once(dead, 'exit');
    const saved = process.env[LAUNCHER_PID_ENV];
    try {
      process.env[LAUNCHER_PID_ENV] = String(process.ppid);
      expect(launcherOf()).toEqual({ launcherPid: process.ppid });
      process.env[LAUNCHER_PID_ENV] = String(dead.pid);
      expect(launcherOf()).toEqual({ launcherPid: dead.pid });
      process.env[LAUNCHER_PID_ENV] = String(process.pid);
      expect(launcherOf()).toEqual({});
      delete process.env[LAUNCHER_PID_ENV];
      expect(launcherOf()).toEqual({});
    } finally {
      if (saved === undefined) delete process.env[LAUNCHER_PID_ENV];
      else process.env[LAUNCHER_PID_ENV] = saved;
    }
  });
});
