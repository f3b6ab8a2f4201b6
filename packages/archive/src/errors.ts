/** Base of every archive error; `code` is fixed per class so that the CLI can map it to an exit status. */
export class ArchiveError extends Error {
  override name = 'ArchiveError';
  readonly code: string = 'ArchiveError';
  /** Whether trying again later may succeed. */
  readonly transient: boolean = false;

  constructor(
    message: string,
    readonly root?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Another writer holds the archive. */
export class ArchiveLockedError extends ArchiveError {
  override name = 'ArchiveLockedError';
  override readonly code = 'ArchiveLocked';
  override readonly transient = true;
}

/** Options or input that cannot be used; the message says how to fix them. */
export class ArchiveUsageError extends ArchiveError {
  override name = 'ArchiveUsageError';
  override readonly code = 'ArchiveUsage';
}

/** The archive on disk is not what its catalog says (a file missing or changed). */
export class ArchiveCorruptError extends ArchiveError {
  override name = 'ArchiveCorruptError';
  override readonly code = 'ArchiveCorrupt';
}
