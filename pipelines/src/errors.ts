import { SwasArchiveError } from '@swas-archive/errors';

/** An import that cannot start: no file, a file that cannot be read, a bad option. Nothing was imported. */
export class ImportUsageError extends SwasArchiveError {
  override name = 'ImportUsageError';
  readonly code = 'import.usage' as const;

  constructor(
    message: string,
    /** The file or option at fault. */
    readonly subject: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A scheduled job that cannot start: no archive, a bad period, an output file the job did not make. */
export class JobUsageError extends SwasArchiveError {
  override name = 'JobUsageError';
  readonly code = 'job.usage' as const;

  constructor(
    message: string,
    /** The option at fault (`root`, `days`, `out`, …). */
    readonly option: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
