import { SwasArchiveError } from '@swas-archive/errors';

/** Base of every archive error: the archive's folder, and a fixed `code` per class. */
export abstract class ArchiveError extends SwasArchiveError {
  override name = 'ArchiveError';

  constructor(
    message: string,
    /** The archive's folder, when the error concerns one. */
    readonly root?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Another writer holds the archive, or this writer lost its lock. */
export class ArchiveLockedError extends ArchiveError {
  override name = 'ArchiveLockedError';
  readonly code = 'archive.locked' as const;
}

/** Options or input that cannot be used; the message says how to fix them. */
export class ArchiveUsageError extends ArchiveError {
  override name = 'ArchiveUsageError';
  readonly code = 'archive.usage' as const;
}

/** The archive on disk is not what its catalog says (a file missing or changed). */
export class ArchiveCorruptError extends ArchiveError {
  override name = 'ArchiveCorruptError';
  readonly code = 'archive.corrupt' as const;
}

/** The archive's folder cannot be used: it is a file, it cannot be created, or it cannot be written. */
export class ArchivePathError extends ArchiveError {
  override name = 'ArchivePathError';
  readonly code = 'archive.path' as const;
}

/**
 * The disk holding the archive is full, or its file system turned read-only, while a commit wrote. The
 * message says whether the commit was made (a journal past its commit point, finished by the next writer)
 * or not (nothing of it is visible); either way readers see the archive whole, as of a commit.
 */
export abstract class ArchiveDiskError extends ArchiveError {
  /** Whether the commit had passed its commit point: the next writer that opens the archive finishes it. */
  abstract readonly committed: boolean;
}

/** The disk holding the archive is full (`ENOSPC`) or over quota (`EDQUOT`). */
export class ArchiveDiskFullError extends ArchiveDiskError {
  override name = 'ArchiveDiskFullError';
  readonly code = 'archive.disk-full' as const;
  constructor(
    message: string,
    root: string,
    readonly committed: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, root, options);
  }
}

/** The archive's file system is read-only (`EROFS`): remounted so after errors, or mounted so. */
export class ArchiveReadOnlyError extends ArchiveDiskError {
  override name = 'ArchiveReadOnlyError';
  readonly code = 'archive.read-only' as const;
  constructor(
    message: string,
    root: string,
    readonly committed: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, root, options);
  }
}

/** The object store holding the archive cannot be reached, or refused a request (not a lost commit race). */
export class ArchiveStoreError extends ArchiveError {
  override name = 'ArchiveStoreError';
  readonly code = 'archive.store' as const;
}
