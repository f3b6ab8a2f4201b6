import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import { ArchiveLockedError } from './errors.js';

/** The writer lock's path under the archive root (a folder, as `proper-lockfile` makes it). */
export const LOCK_FILE = '.writer.lock';

/**
 * The one-writer lock of an archive: `<root>/.writer.lock`, refreshed while held; a lock not refreshed
 * for `staleMs` belonged to a dead process and is taken over. If another process takes ours over (we
 * stalled past `staleMs`), the lock is compromised and {@link WriterLock.assertHeld} refuses from then on.
 */
export class WriterLock {
  #compromised?: Error;

  private constructor(
    readonly root: string,
    private readonly release_: () => Promise<void>,
  ) {}

  /** Takes the lock of the archive at `root` (which must exist), or throws {@link ArchiveLockedError}. */
  static async acquire(root: string, staleMs: number): Promise<WriterLock> {
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
      if ((error as NodeJS.ErrnoException).code === 'ELOCKED') {
        throw new ArchiveLockedError(
          `another swas-archive writer holds the archive at ${root} (lock ${join(root, LOCK_FILE)}): wait for it to finish; a lock left by a dead process is taken over after ${Math.round(staleMs / 1000)} s`,
          root,
          { cause: error },
        );
      }
      throw error; // EACCES, EIO, …: the system's error, as it is
    }
    holder.lock = new WriterLock(root, release);
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
    try {
      await this.release_();
    } catch (error) {
      // ERELEASED: compromised or released before; the lock folder is not ours to remove any more.
      if ((error as NodeJS.ErrnoException).code !== 'ERELEASED') throw error;
    }
  }
}
