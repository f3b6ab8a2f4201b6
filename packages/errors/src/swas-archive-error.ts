import { type CrawlDecision, ERROR_CODES, type ErrorCode, type ErrorCodeInfo } from './error-codes.js';
import { EXIT } from './exit-status.js';

/**
 * Base of every error swas-archive throws on purpose. A subclass fixes `code` (one of {@link ERROR_CODES})
 * and adds typed context fields (region, instance, action, path, …); `transient` follows from the code.
 * Messages say what went wrong and how to fix it, and never hold a secret.
 */
export abstract class SwasArchiveError extends Error {
  /** The stable code: what scripts match and what the exit status and crawl decision follow from. */
  abstract readonly code: ErrorCode;

  /** Whether trying the same thing again later may succeed. */
  get transient(): boolean {
    return ERROR_CODES[this.code].transient;
  }
}

/**
 * Whether `error` is one of ours. Checked by shape, not by `instanceof`, so that an error from another
 * copy of this package (a bundled CLI, a second install) is still recognised.
 */
export function isSwasArchiveError(error: unknown): error is SwasArchiveError {
  return (
    error instanceof Error &&
    typeof (error as { code?: unknown }).code === 'string' &&
    codeInfo(error) !== undefined
  );
}

function codeInfo(error: Error): ErrorCodeInfo | undefined {
  const code = (error as { code?: string }).code as string;
  return Object.hasOwn(ERROR_CODES, code) ? ERROR_CODES[code as ErrorCode] : undefined;
}

/** The exit status a command ends with when `error` ends it: from the code's table row; 1 for anything else. */
export function exitStatusOf(error: unknown): number {
  return isSwasArchiveError(error) ? EXIT[ERROR_CODES[error.code].exit] : EXIT.unexpected;
}

/**
 * What a crawl does when `error` fails a call for one instance after its retries: fail that instance, or
 * stop the run. Anything that is not ours (a bug, an abort) stops the run: it is not the instance's fault.
 */
export function crawlDecisionOf(error: unknown): CrawlDecision {
  return isSwasArchiveError(error) ? ERROR_CODES[error.code].crawl : 'stop-run';
}
