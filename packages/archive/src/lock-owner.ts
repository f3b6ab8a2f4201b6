import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';

/** How long a lock is held: a whole run, or one commit of a shard. */
export type LockMode = 'run' | 'commit';

/** Who holds a writer lock: written beside the lock folder by the holder. */
export interface LockOwner {
  host: string;
  pid: number;
  /** When the holder took the lock, ISO time. */
  since: string;
  /** The inode of the lock folder it made: a lock folder made since by someone else is not its. */
  lockIno: number;
  /**
   * `run`: held for a whole run (one writer, the default); `commit`: held for one commit by one of several
   * shards taking turns (see {@link LockOptions.waitForTurn}). Absent in locks of older versions: `run`.
   */
  mode?: LockMode;
  /**
   * The process that launched the holder and that the holder dies with (the CLI re-runs itself under a
   * launcher to set its own memory limits): once it is gone, the holder is on its way out too.
   */
  launcherPid?: number;
}

/**
 * Set by a launcher in the environment of the process it runs (its own pid): a lock taken by that process
 * names it, so that a `kill -9` of the launcher (the process a scheduler knows) frees the lock at once.
 */
export const LAUNCHER_PID_ENV = 'SWAS_ARCHIVE_LAUNCHER_PID';

/** The file beside a lock folder that names its holder. */
export const ownerFile = (name: string) => `${name}.owner.json`;

/** The holder named beside the lock folder, or undefined when it names none (an older version, a crash). */
export async function readOwner(root: string, name: string): Promise<LockOwner | undefined> {
  try {
    const owner = JSON.parse(await readFile(join(root, ownerFile(name)), 'utf8')) as Partial<LockOwner>;
    if (
      typeof owner.host !== 'string' ||
      typeof owner.pid !== 'number' ||
      typeof owner.since !== 'string' ||
      typeof owner.lockIno !== 'number'
    )
      return undefined;
    return owner as LockOwner;
  } catch {
    // Missing or unreadable: the holder cannot be judged, and only the stale rule applies.
    return undefined;
  }
}

/** Whether the holder of the lock folder at `path` was on this host and no longer runs. */
export function isDeadHere(owner: LockOwner, path: string, heldHere: ReadonlySet<string>): boolean {
  if (owner.host !== hostname()) return false;
  // Our own pid: this process holds it, or a restarted container's dead predecessor had the same pid.
  if (owner.pid === process.pid) return !heldHere.has(path);
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** Whether a process with this pid runs on this host. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/** Whether the holder, alive on this host, was launched by a process that is gone: it dies with it. */
export function isOrphanHere(owner: LockOwner): boolean {
  return owner.host === hostname() && owner.launcherPid !== undefined && !isAlive(owner.launcherPid);
}

/** Waits until the process `pid` has exited, for at most `ms`. */
export async function exitOf(pid: number, ms: number): Promise<void> {
  for (const until = Date.now() + ms; isAlive(pid) && Date.now() < until; )
    await new Promise((r) => setTimeout(r, 25));
}

/**
 * This process's launcher, when a launcher named itself in the environment and is our parent, or was and
 * has died (a `kill -9` of the launcher just before the lock was taken: this process was reparented, and
 * is on its way out too). A launcher pid inherited from further up, alive, is not ours.
 */
export function launcherOf(): { launcherPid?: number } {
  const pid = Number(process.env[LAUNCHER_PID_ENV]);
  if (!Number.isInteger(pid) || pid <= 0) return {};
  return pid === process.ppid || !isAlive(pid) ? { launcherPid: pid } : {};
}
