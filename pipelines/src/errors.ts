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
