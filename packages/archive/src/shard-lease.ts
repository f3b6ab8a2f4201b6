import { readdir } from 'node:fs/promises';
import { ArchiveLockedError, ArchiveUsageError } from './errors.js';
import { type LockOwner, lockHolder, WriterLock } from './writer-lock.js';

/**
 * One of `count` writers sharing an archive root (a sharded crawl): each owns a part of the fleet, holds a
 * lease for its whole run, and takes the writer lock for one commit at a time, waiting its turn.
 */
export interface ArchiveShard {
  /** From 0 to `count - 1`. */
  index: number;
  /** How many shards the work is split into (every shard of one split says the same). */
  count: number;
}

/** The lease folder of a shard under the root: `.shard-<i>-of-<n>.lock`. */
export const shardLockName = (shard: ArchiveShard): string => `.shard-${shard.index}-of-${shard.count}.lock`;
const LEASE = /^\.shard-(\d+)-of-(\d+)\.lock$/;

/** Checks a shard's numbers, saying how to fix them. */
export function checkShard(shard: ArchiveShard, root: string): void {
  const { index, count } = shard;
  if (!Number.isInteger(count) || count < 1 || !Number.isInteger(index) || index < 0 || index >= count)
    throw new ArchiveUsageError(
      `Expected a shard i/n with n >= 1 and 0 <= i < n, got ${index}/${count}`,
      root,
    );
}

/** The shards whose lease is held now (live, not stale), with their holders. */
export async function liveShards(
  root: string,
  staleMs: number,
): Promise<{ shard: ArchiveShard; holder: LockOwner | 'unnamed' }[]> {
  const live: { shard: ArchiveShard; holder: LockOwner | 'unnamed' }[] = [];
  for (const name of await readdir(root)) {
    const m = LEASE.exec(name);
    if (!m) continue;
    const holder = await lockHolder(root, name, staleMs);
    if (holder) live.push({ shard: { index: Number(m[1]), count: Number(m[2]) }, holder });
  }
  return live;
}

const who = (holder: LockOwner | 'unnamed') =>
  holder === 'unnamed' ? 'a process starting' : `process ${holder.pid} on ${holder.host}`;

/**
 * Takes the lease of `shard` for a run: refused at once ({@link ArchiveLockedError}) while the same shard
 * runs elsewhere, or while shards of another split (another `n`) run, which would own the same part of the
 * fleet twice.
 */
export async function takeShardLease(
  root: string,
  staleMs: number,
  shard: ArchiveShard,
): Promise<WriterLock> {
  const name = shardLockName(shard);
  const lease = await WriterLock.acquire(root, staleMs, { name }).catch((error: unknown) => {
    if (!(error instanceof ArchiveLockedError)) throw error;
    throw new ArchiveLockedError(
      `shard ${shard.index}/${shard.count} is already running on the archive at ${root}: ${error.message}`,
      root,
      { cause: error },
    );
  });
  const other = (await liveShards(root, staleMs)).find((s) => s.shard.count !== shard.count);
  if (other) {
    await lease.release();
    throw new ArchiveLockedError(
      `shard ${other.shard.index}/${other.shard.count} (${who(other.holder)}) is writing to ${root}, split ${other.shard.count} ways: every shard of a split must use the same n; wait for those to finish`,
      root,
    );
  }
  return lease;
}

/** Refuses a writer of a whole run (unsharded) while any shard holds a lease on the archive. */
export async function refuseWhileShardsRun(root: string, staleMs: number): Promise<void> {
  const [running] = await liveShards(root, staleMs);
  if (running)
    throw new ArchiveLockedError(
      `shard ${running.shard.index}/${running.shard.count} (${who(running.holder)}) is writing to the archive at ${root}: an unsharded run waits for the sharded ones to finish (a dead shard's lease is taken over once stale)`,
      root,
    );
}
