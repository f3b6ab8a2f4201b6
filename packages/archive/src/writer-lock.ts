import { rm, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import { ArchiveLockedError } from './errors.js';
import {
  exitOf,
  isDeadHere,
  isOrphanHere,
  type LockMode,
  type LockOwner,
  launcherOf,
  ownerFile,
  readOwner,
} from './lock-owner.js';

export { LAUNCHER_PID_ENV, type LockMode, type LockOwner } from './lock-owner.js';

/** How long a lock's holder whose launcher died is given to die too before it counts as alive. */
const ORPHAN_EXIT_MS = 10_000;

/** How long a lock's holder is given to name itself (it writes its owner file just after the lock). */
const NAMING_MS = 2_000;

/** Options of {@link WriterLock.acquire}. */
export interface LockOptions {
  /** The lock folder's name under the root. @default '.writer.lock' */
  name?: string;
  /** @default 'run' */
  mode?: LockMode;
  /**
   * While another shard holds the lock for a commit (`mode: 'commit'`), wait for it, polling, instead of
   * throwing; a lock held for a run (an unsharded writer) is refused at once all the same.
   * @default false
   */
  waitForTurn?: boolean;
}

/**
 * The file beside the lock folder that names its holder (not inside it: proper-lockfile takes a stale
 * lock over with `rmdir`, which needs the folder empty).
 */
export const LOCK_OWNER_FILE = '.writer.lock.owner.json';

/** A short-lived lock that serialises taking a dead holder's lock over (two takers must not both win). */
export const TAKEOVER_LOCK = '.writer.lock.takeover';

/** Lock folders this process holds now: its own pid in a lock means dead only if not here. */
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
    /** The lock folder's name under the root. */
    readonly name: string,
    private readonly release_: () => Promise<void>,
    /** The dead holder whose lock this one took over, if it did. */
    readonly tookOverFrom?: LockOwner,
  ) {}

  /**
   * Takes the lock of the archive at `root` (which must exist), or throws {@link ArchiveLockedError}; with
   * `waitForTurn`, waits while another shard holds it for a commit.
   */
  static async acquire(root: string, staleMs: number, options: LockOptions = {}): Promise<WriterLock> {
    const how = { name: options.name ?? LOCK_FILE, mode: options.mode ?? 'run' } as const;
    for (;;) {
      try {
        return await WriterLock.#acquireOrTakeOver(root, staleMs, how);
      } catch (error) {
        if (!options.waitForTurn || !(error instanceof ArchiveLockedError)) throw error;
        // No owner named yet: its holder is between taking the folder and naming itself. Either way, a turn.
        const owner = await readOwner(root, how.name);
        if (owner && (owner.mode ?? 'run') === 'run') throw error;
        await new Promise((r) => setTimeout(r, 50 + Math.random() * 200));
      }
    }
  }

  static async #acquireOrTakeOver(
    root: string,
    staleMs: number,
    how: Required<Omit<LockOptions, 'waitForTurn'>>,
  ): Promise<WriterLock> {
    try {
      return await WriterLock.#acquire(root, staleMs, how);
    } catch (error) {
      if (!(error instanceof ArchiveLockedError)) throw error;
      const named = await namedOwner(root, how.name);
      // Released while we looked: the lock is free again, and taken (or refused) like any other time.
      if (named === 'released') return WriterLock.#acquire(root, staleMs, how);
      const owner = named;
      if (owner && isOrphanHere(owner)) await exitOf(owner.pid, ORPHAN_EXIT_MS);
      if (!owner || !isDeadHere(owner, join(root, how.name), heldHere))
        throw lockedError(root, staleMs, owner, error, how.name);
      return WriterLock.#takeOver(root, staleMs, how, error);
    }
  }

  /**
   * Takes over the lock of a holder that died on this host, now rather than after `staleMs`: under a
   * takeover lock, the holder is checked again (still dead, and the lock folder still the one it made)
   * before its folder is removed, so that of two processes starting at once only one takes it.
   */
  static async #takeOver(
    root: string,
    staleMs: number,
    how: Required<Omit<LockOptions, 'waitForTurn'>>,
    cause: unknown,
  ): Promise<WriterLock> {
    // A lock of its own "file": proper-lockfile keeps one lock per file, and the lock folder has the lock.
    const takeover = `${how.name}.takeover`;
    const release = await lockfile.lock(join(root, takeover), {
      lockfilePath: join(root, takeover),
      stale: 10_000,
      retries: { retries: 50, minTimeout: 20, maxTimeout: 200 },
      realpath: false,
    });
    try {
      const owner = await readOwner(root, how.name);
      const ino = await stat(join(root, how.name)).then(
        (s) => s.ino,
        () => undefined,
      );
      if (!owner || !isDeadHere(owner, join(root, how.name), heldHere) || ino !== owner.lockIno)
        return await WriterLock.#acquire(root, staleMs, how).catch((error: unknown) => {
          throw error instanceof ArchiveLockedError
            ? lockedError(root, staleMs, owner, cause, how.name)
            : error;
        });
      await rm(join(root, how.name), { recursive: true, force: true });
      return await WriterLock.#acquire(root, staleMs, how, owner);
    } finally {
      await release();
    }
  }

  static async #acquire(
    root: string,
    staleMs: number,
    how: Required<Omit<LockOptions, 'waitForTurn'>>,
    deadOwner?: LockOwner,
  ): Promise<WriterLock> {
    const holder: { lock?: WriterLock } = {};
    const path = join(root, how.name);
    let release: () => Promise<void>;
    try {
      release = await lockfile.lock(path, {
        lockfilePath: path,
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
        throw lockedError(root, staleMs, undefined, error, how.name);
      throw error; // EACCES, EIO, …: the system's error, as it is
    }
    const { ino } = await stat(path);
    const owner: LockOwner = {
      host: hostname(),
      pid: process.pid,
      since: new Date().toISOString(),
      lockIno: ino,
      mode: how.mode,
      ...launcherOf(),
    };
    await writeFile(join(root, ownerFile(how.name)), `${JSON.stringify(owner)}\n`);
    heldHere.add(path);
    holder.lock = new WriterLock(root, how.name, release, deadOwner);
    return holder.lock;
  }

  /** Throws {@link ArchiveLockedError} once another writer took the lock over: no more commits. */
  assertHeld(): void {
    if (this.#compromised) {
      throw new ArchiveLockedError(
        `the archive lock ${join(this.root, this.name)} was lost (${this.#compromised.message}): another writer may have taken over; nothing more is committed by this one`,
        this.root,
        { cause: this.#compromised },
      );
    }
  }

  /** Releases the lock. A lock already lost to another writer (or already released) is left alone. */
  async release(): Promise<void> {
    heldHere.delete(join(this.root, this.name));
    try {
      await rm(join(this.root, ownerFile(this.name)), { force: true });
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

/**
 * The live holder of the lock folder `name` under `root`, or undefined when nobody holds it: a lock not
 * refreshed for `staleMs`, or whose holder died on this host, is nobody's.
 */
export async function lockHolder(
  root: string,
  name: string,
  staleMs: number,
): Promise<LockOwner | 'unnamed' | undefined> {
  const path = join(root, name);
  const locked = await lockfile.check(path, { lockfilePath: path, stale: staleMs, realpath: false });
  if (!locked) return undefined;
  const owner = await readOwner(root, name);
  if (!owner) return 'unnamed';
  return isDeadHere(owner, path, heldHere) ? undefined : owner;
}

/**
 * The holder of a lock folder that exists, once it has named itself: a holder killed between taking the
 * folder and naming itself never does, and the stale rule alone frees its lock. `released` when the
 * folder went away meanwhile.
 */
async function namedOwner(root: string, name: string): Promise<LockOwner | 'released' | undefined> {
  for (const until = Date.now() + NAMING_MS; ; await new Promise((r) => setTimeout(r, 25))) {
    const owner = await readOwner(root, name);
    if (owner || Date.now() >= until) return owner;
    const exists = await stat(join(root, name)).then(
      () => true,
      () => false,
    );
    if (!exists) return 'released';
  }
}

function lockedError(
  root: string,
  staleMs: number,
  owner: LockOwner | undefined,
  cause: unknown,
  name: string,
): ArchiveLockedError {
  const who = owner
    ? `process ${owner.pid} on ${owner.host}, since ${owner.since}`
    : 'another swas-archive writer';
  const rule =
    owner && owner.host !== hostname()
      ? `a lock held from another host is taken over once it has not been refreshed for ${Math.round(staleMs / 1000)} s`
      : `a lock left by a dead process on this host is taken over at once, one from another host after ${Math.round(staleMs / 1000)} s`;
  return new ArchiveLockedError(
    `another swas-archive writer holds the archive at ${root} (${who}; lock ${join(root, name)}): wait for it to finish; ${rule}`,
    root,
    { cause },
  );
}
