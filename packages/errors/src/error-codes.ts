import type { ExitName } from './exit-status.js';

/** What the crawler does when a call for one instance fails with an error of this code (after retries). */
export type CrawlDecision =
  /** Record the instance as incomplete with its reason and go on with the others. */
  | 'fail-instance'
  /** Nothing else can succeed with the same credentials, settings or archive: stop the whole run. */
  | 'stop-run';

/** Everything the program decides from an error's code. */
export interface ErrorCodeInfo {
  /** The exit status of a command that ends with this error. */
  exit: ExitName;
  /** Whether the same operation may succeed if tried again later. */
  transient: boolean;
  crawl: CrawlDecision;
  /** One line for the documentation. */
  summary: string;
}

/**
 * Every error code of swas-archive, with what it means for the exit status, retries and the crawl. The one
 * table: an error class must name a code listed here (the type system checks it), so a new class cannot
 * fall into "unexpected error" by omission. Codes are stable: scripts may match them; never parse messages.
 */
export const ERROR_CODES = {
  'api.throttled': {
    exit: 'unreachable',
    transient: true,
    crawl: 'fail-instance',
    summary: 'API flow control refused the call (Throttling*): slow down and retry',
  },
  'api.unavailable': {
    exit: 'unreachable',
    transient: true,
    crawl: 'fail-instance',
    summary:
      'the service failed or could not be reached: 5xx, reset, refused, timeout, a body that is not JSON',
  },
  'api.bad-response': {
    exit: 'unreachable',
    transient: false,
    crawl: 'fail-instance',
    summary: 'a well-formed answer without the documented shape',
  },
  'api.not-found': {
    exit: 'usage',
    transient: false,
    crawl: 'fail-instance',
    summary: 'the instance (released), invocation (expired) or region does not exist',
  },
  'api.invalid-request': {
    exit: 'unexpected',
    transient: false,
    crawl: 'fail-instance',
    summary: 'the service refused the request as invalid: a bug in the request',
  },
  'api.authentication': {
    exit: 'auth',
    transient: false,
    crawl: 'stop-run',
    summary: 'the credentials were refused: wrong secret, unknown key, bad STS token',
  },
  'api.permission': {
    exit: 'auth',
    transient: false,
    crawl: 'stop-run',
    summary: 'the credentials lack a RAM permission (Forbidden*)',
  },
  'api.clock-skew': {
    exit: 'auth',
    transient: false,
    crawl: 'stop-run',
    summary: "the local clock is more than 15 minutes from the service's",
  },
  'api.configuration': {
    exit: 'usage',
    transient: false,
    crawl: 'stop-run',
    summary: 'the client could not be set up: a bad option, a bad endpoint, no usable credentials',
  },
  'archive.locked': {
    exit: 'locked',
    transient: true,
    crawl: 'stop-run',
    summary: "another writer holds the archive's lock, or this writer lost it",
  },
  'archive.usage': {
    exit: 'usage',
    transient: false,
    crawl: 'stop-run',
    summary: 'archive options or input that cannot be used',
  },
  'archive.path': {
    exit: 'usage',
    transient: false,
    crawl: 'stop-run',
    summary: "the archive's folder cannot be used: a file, not creatable, not writable",
  },
  'archive.store': {
    exit: 'unreachable',
    transient: false,
    crawl: 'stop-run',
    summary: 'the object store holding the archive (s3://, oss://) cannot be reached or refused a request',
  },
  'archive.corrupt': {
    exit: 'damaged',
    transient: false,
    crawl: 'stop-run',
    summary: 'the archive on disk is not what its catalog says',
  },
  'archive.disk-full': {
    exit: 'system',
    transient: true,
    crawl: 'stop-run',
    summary:
      'the disk holding the archive is full (or over quota): the commit was not made, or is finished by the next run',
  },
  'archive.read-only': {
    exit: 'system',
    transient: true,
    crawl: 'stop-run',
    summary:
      "the archive's file system turned read-only: the commit was not made, or is finished by the next run",
  },
  'crawl.configuration': {
    exit: 'usage',
    transient: false,
    crawl: 'stop-run',
    summary: 'crawl options a run cannot start with: an unknown region, a bad budget',
  },
  'query.invalid': {
    exit: 'usage',
    transient: false,
    crawl: 'stop-run',
    summary: 'the SQL could not run: a syntax error, an unknown column or relation',
  },
  'query.refused': {
    exit: 'usage',
    transient: false,
    crawl: 'stop-run',
    summary:
      'SQL that `query` does not run: not one SELECT (a write, a setting, an extension), or a read outside the archive',
  },
  'query.options': {
    exit: 'usage',
    transient: false,
    crawl: 'stop-run',
    summary: 'report options that cannot be used: a bad period, group, status or threshold',
  },
  'config.invalid': {
    exit: 'usage',
    transient: false,
    crawl: 'stop-run',
    summary: 'a config file that cannot be used: the key, the value and the fix are named',
  },
  'export.usage': {
    exit: 'usage',
    transient: false,
    crawl: 'stop-run',
    summary:
      'an export that cannot start: a bad format or limit, an --out that exists and is not empty, a key that cannot sign',
  },
  'export.incomplete': {
    exit: 'system',
    transient: true,
    crawl: 'stop-run',
    summary:
      'an export whose rows did not all arrive (the engine ended its stream early: out of memory, a file gone): nothing was published; run it again',
  },
  'import.usage': {
    exit: 'usage',
    transient: false,
    crawl: 'stop-run',
    summary: 'an import that cannot start: no file, a file that cannot be read',
  },
  'job.usage': {
    exit: 'usage',
    transient: false,
    crawl: 'stop-run',
    summary:
      'a scheduled job that cannot start: no archive, a bad period, an output file the job did not make',
  },
  'cli.usage': {
    exit: 'usage',
    transient: false,
    crawl: 'stop-run',
    summary: 'a command called the wrong way: a bad flag value, a missing archive',
  },
} as const satisfies Record<string, ErrorCodeInfo>;

/** A stable error code, e.g. `api.throttled`. */
export type ErrorCode = keyof typeof ERROR_CODES;
