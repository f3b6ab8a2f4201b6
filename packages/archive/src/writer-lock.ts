import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import { ArchiveLockedError } from './errors.js';

/** Who holds a writer lock: written beside the lock folder by the holder. */
export interface LockOwner {
  host: string;
  pid: number;
  /** When the holder took the lock, ISO time. */
  since: string;
  /** The inode of the lock folder it made: a lock folder made since by someone else is not its. */
  lockIno: number;
}

/**
 * The file beside the lock folder that names its holder (not inside it: proper-lockfile takes a stale
 * lock over with `rmdir`, which needs the folder empty).
 */
export const LOCK_OWNER_FILE = '.writer.lock.owner.json';

/** A short-lived lock that serialises taking a dead holder's lock over (two takers must not both win). */
export const TAKEOVER_LOCK = '.writer.lock.takeover';

/** Archive roots whose lock this process holds now: its own pid in a lock means dead only if not here. */
const heldHere = new Set<string>();

/** The writer lock's path under the archive root (a folder, as `proper-lockfile` makes it). */
export const LOCK_FILE = '.writer.lock';

/**
 * The one-writer lock of an archive: `<root>/.writer.lock`, refreshed while held, naming its holder (host,
 * pid, since). A lock whose holder is provably dead — on this host, and no process with its pid runs (or
 * the pid is ours: a restarted container reuses pids) — is taken over at once; a lock held by another
 * host is taken over only once stale (not refreshed for `staleMs`). If another process takes ours over
 * (we stalled past `staleMs`), the lock is compromised and {@link WriterLock.assertHeld} refuses from then
 * on.
 */
export class WriterLock {
  #compromised?: Error;

  private constructor(
    readonly root: string,
    private readonly release_: () => Promise<void>,
    /** The dead holder whose lock this one took over, if it did. */
    readonly tookOverFrom?: LockOwner,
  ) {}

  /** Takes the lock of the archive at `root` (which must exist), or throws {@link ArchiveLockedError}. */
  static async acquire(root: string, staleMs: number): Promise<WriterLock> {
    try {
      return await WriterLock.#acquire(root, staleMs);
    } catch (error) {
      if (!(error instanceof ArchiveLockedError)) throw error;
      const owner = await readOwner(root);
      if (!owner || !isDeadHere(owner, root)) throw lockedError(root, staleMs, owner, error);
      return WriterLock.#takeOver(root, staleMs, error);
    }
  }

  /**
   * Takes over the lock of a holder that died on this host, now rather than after `staleMs`: under a
   * takeover lock, the holder is checked again (still dead, and the lock folder still the one it made)
   * before its folder is removed, so that of two processes starting at once only one takes it.
   */
  static async #takeOver(root: string, staleMs: number, cause: unknown): Promise<WriterLock> {
    // A lock of its own "file": proper-lockfile keeps one lock per file, and `root` has the writer lock.
    const release = await lockfile.lock(join(root, TAKEOVER_LOCK), {
      lockfilePath: join(root, TAKEOVER_LOCK),
      stale: 10_000,
      retries: { retries: 50, minTimeout: 20, maxTimeout: 200 },
      realpath: false,
    });
    try {
      const owner = await readOwner(root);
      const ino = await stat(join(root, LOCK_FILE)).then(
        (s) => s.ino,
        () => undefined,
      );
      if (!owner || !isDeadHere(owner, root) || ino !== owner.lockIno)
        return await WriterLock.#acquire(root, staleMs).catch((error: unknown) => {
          throw error instanceof ArchiveLockedError ? lockedError(root, staleMs, owner, cause) : error;
        });
      await rm(join(root, LOCK_FILE), { recursive: true, force: true });
      return await WriterLock.#acquire(root, staleMs, owner);
    } finally {
      await release();
    }
  }

  static async #acquire(root: string, staleMs: number, deadOwner?: LockOwner): Promise<WriterLock> {
    const holder: { lock?: WriterLock } = {};
    let release: () => Promise<void>;
    try {
      release = await lockfile.lock(root, {
        lockfilePath: join(root, LOCK_FILE),
        stale: staleMs,
        retries: 0,
        realpath: false,
        onCompromised: (error) => {
          // Called from a timer, long after `acquire` returned: `holder.lock` is set by then.
          if (holder.lock) holder.lock.#compromised = error;
        },
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ELOCKED')
        throw lockedError(root, staleMs, undefined, error);
      throw error; // EACCES, EIO, …: the system's error, as it is
    }
    const { ino } = await stat(join(root, LOCK_FILE));
    const owner: LockOwner = {
      host: hostname(),
      pid: process.pid,
      since: new Date().toISOString(),
      lockIno: ino,
    };
    await writeFile(join(root, LOCK_OWNER_FILE), `${JSON.stringify(owner)}\n`);
    heldHere.add(root);
    holder.lock = new WriterLock(root, release, deadOwner);
    return holder.lock;
  }

  /** Throws {@link ArchiveLockedError} once another writer took the lock over: no more commits. */
  assertHeld(): void {
    if (this.#compromised) {
      throw new ArchiveLockedError(
        `the archive lock at ${this.root} was lost (${this.#compromised.message}): another writer may have taken over; nothing more is committed by this one`,
        this.root,
        { cause: this.#compromised },
      );
    }
  }

  /** Releases the lock. A lock already lost to another writer (or already released) is left alone. */
  async release(): Promise<void> {
    heldHere.delete(this.root);
    try {
      await rm(join(this.root, LOCK_OWNER_FILE), { force: true });
      await this.release_();
    } catch (error) {
      // ERELEASED: compromised or released before; the lock folder is not ours to remove any more.
      // EROFS: the file system turned read-only (the error that stopped the writer says so); the lock stays,
      // and the next writer takes over this dead process's lock at once.
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ERELEASED' && code !== 'EROFS') throw error;
    }
  }
}

/** The holder named in the lock folder, or undefined when it names none (an older version, a crash). */
async function readOwner(root: string): Promise<LockOwner | undefined> {
  try {
    const owner = JSON.parse(await readFile(join(root, LOCK_OWNER_FILE), 'utf8')) as Partial<LockOwner>;
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

/** Whether the holder was on this host and no longer runs. */
function isDeadHere(owner: LockOwner, root: string): boolean {
  if (owner.host !== hostname()) return false;
  // Our own pid: this process holds it, or a restarted container's dead predecessor had the same pid.
  if (owner.pid === process.pid) return !heldHere.has(root);
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function lockedError(
  root: string,
  staleMs: number,
  owner: LockOwner | undefined,
  cause: unknown,
): ArchiveLockedError {
  const who = owner
    ? `process ${owner.pid} on ${owner.host}, since ${owner.since}`
    : 'another swas-archive writer';
  const rule =
    owner && owner.host !== hostname()
      ? `a lock held from another host is taken over once it has not been refreshed for ${Math.round(staleMs / 1000)} s`
      : `a lock left by a dead process on this host is taken over at once, one from another host after ${Math.round(staleMs / 1000)} s`;
  return new ArchiveLockedError(
    `another swas-archive writer holds the archive at ${root} (${who}; lock ${join(root, LOCK_FILE)}): wait for it to finish; ${rule}`,
    root,
    { cause },
  );
}
