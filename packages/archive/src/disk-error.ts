import { constants } from 'node:fs';
import { access, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ArchiveDiskError, ArchiveDiskFullError, ArchiveReadOnlyError } from './errors.js';

/** How a full disk or a read-only file system shows: an errno from Node, a message from DuckDB. */
const FULL = /\b(ENOSPC|EDQUOT)\b|No space left on device|Disk quota exceeded/i;
const READ_ONLY = /\bEROFS\b|Read-only file system/i;

/**
 * `error` as an {@link ArchiveDiskError} when a full disk or a read-only file system caused it (from Node's
 * `fs`, or DuckDB writing Parquet or spilling); `undefined` for any other error, which stays as it is.
 * `committed`: whether the commit had passed its commit point when it failed.
 */
export async function diskErrorOf(
  error: unknown,
  root: string,
  committed: boolean,
): Promise<ArchiveDiskError | undefined> {
  if (error instanceof ArchiveDiskError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code ?? '';
  const text = `${code} ${error instanceof Error ? error.message : String(error)}`;
  const full = FULL.test(text);
  // Not every call says EROFS (Node's recursive mkdir says ENOENT there): ask the file system itself.
  if (!full && !READ_ONLY.test(text) && !(await readOnly(root))) return undefined;
  const what = full
    ? `the disk holding the archive at ${root} is full`
    : `the file system of the archive at ${root} is read-only`;
  const state = committed
    ? 'the commit was made (its journal is in _journal/) but not fully applied: readers still see the archive as of the commit before it, and the next run on a healthy disk finishes it'
    : 'this commit was not made: the archive is exactly as its last commit left it, and readers see it whole';
  const fix = full
    ? 'free space on that disk (or move the archive to a larger one and point --data at it), then run again: the run goes on from the last commit'
    : 'find out why it turned read-only (a failing disk is remounted read-only: see dmesg), make it writable again, then run again: the run goes on from the last commit';
  const detail = firstLine(error instanceof Error ? error.message : String(error));
  const message = `${what} (${detail}): ${state}; ${fix}`;
  return full
    ? new ArchiveDiskFullError(message, root, committed, { cause: error })
    : new ArchiveReadOnlyError(message, root, committed, { cause: error });
}

/** Whether the file system of `root` refuses writes as read-only now. */
async function readOnly(root: string): Promise<boolean> {
  try {
    await access(root, constants.W_OK);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EROFS';
  }
}

function firstLine(text: string): string {
  const line = text.split('\n')[0] ?? '';
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

/**
 * What a failed commit of `snapshotId` throws: a full disk or a read-only file system said as such (any other
 * error as it is). One that did not reach its commit point gives back the space its staged files took at
 * once (the next writer's open would too); past it, the staged files are the journal's and stay.
 */
export async function commitFailure(error: unknown, root: string, snapshotId: string): Promise<unknown> {
  const disk = await diskErrorOf(error, root, false);
  if (!disk || disk.committed) return disk ?? error;
  // Best effort: on a read-only file system this fails too, and the error to report is the disk's.
  await rm(join(root, '_staging', snapshotId), { recursive: true, force: true }).catch(() => undefined);
  return disk;
}
