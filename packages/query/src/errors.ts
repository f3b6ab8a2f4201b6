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

/**
 * SQL that a session does not run: empty, several statements, a statement other than one SELECT (a write,
 * a setting, an extension), or a read outside the archive. Nothing of it ran.
 */
export class QueryRefusedError extends SwasArchiveError {
  override name = 'QueryRefusedError';
  readonly code = 'query.refused' as const;

  constructor(
    message: string,
    /** The SQL that was refused. */
    readonly sql: string,
    /** What was refused: `empty`, `several`, a statement kind (`COPY`, `ATTACH`, …) or `outside-archive`. */
    readonly refused: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Report options that cannot be used: a bad period, group, status or threshold. The message says how to fix it. */
export class ReportOptionsError extends SwasArchiveError {
  override name = 'ReportOptionsError';
  readonly code = 'query.options' as const;

  constructor(
    message: string,
    /** The option at fault, e.g. `since`. */
    readonly option: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * An export that cannot start or go on: a bad format or limit, an `--out` that exists and is not empty or
 * lies inside the archive, a signing key that cannot be used. Nothing that looks finished was written.
 */
export class ExportUsageError extends SwasArchiveError {
  override name = 'ExportUsageError';
  readonly code = 'export.usage' as const;

  constructor(
    message: string,
    /** The option or path at fault, e.g. `out`. */
    readonly option: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * An export that wrote fewer rows than its relation holds: DuckDB's Node client ends a streamed result
 * that fails part-way (out of memory, a file gone) as if it had finished, so every streamed export is
 * counted again before it is published. Nothing was published.
 */
export class ExportIncompleteError extends SwasArchiveError {
  override name = 'ExportIncompleteError';
  readonly code = 'export.incomplete' as const;

  constructor(
    message: string,
    readonly written: number,
    readonly expected: number,
  ) {
    super(message);
  }
}
