import { SwasArchiveError } from '@swas-archive/errors';

/** SQL that could not run over the archive (a syntax error, an unknown column or relation). */
export class QueryError extends SwasArchiveError {
  override name = 'QueryError';
  readonly code = 'query.invalid' as const;

  constructor(
    message: string,
    /** The SQL that failed. */
    readonly sql: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
