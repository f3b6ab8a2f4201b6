/**
 * Exit statuses of every swas-archive command (documented in the root README). A command ends with one of
 * these and nothing else: an error's status comes from its code through {@link ERROR_CODES}.
 */
export const EXIT = {
  /** Complete: everything asked was done. */
  ok: 0,
  /** An unexpected error: a bug, or a failure the program has no name for. */
  unexpected: 1,
  /** The system under the program failed, and the message says how: a full disk, a read-only file system. */
  system: 1,
  /** Usage or configuration: a bad flag or path, an unknown region, no credentials, bad SQL. */
  usage: 2,
  /** Authentication or permission: a wrong secret, an unknown key, a missing RAM permission, a clock off by > 15 min. */
  auth: 3,
  /** Partial: an instance could not be archived completely, or a new gap was found. */
  partial: 4,
  /** Another run holds the archive's writer lock. */
  locked: 5,
  /** `verify` found missing, corrupt or unexpected files, or the archive is damaged. */
  damaged: 6,
  /** The service could not be reached, or kept failing, after every retry (network, endpoint, 5xx, timeouts). */
  unreachable: 7,
  /** `health` found a problem: the last complete run too old, an open gap, records waiting too long. */
  unhealthy: 8,
  /** Interrupted by SIGINT (Ctrl-C): what was read is committed. 128 + 2. */
  interrupted: 130,
  /** Stopped by SIGTERM: what was read is committed. 128 + 15. */
  terminated: 143,
} as const;

/** The name of an exit status, e.g. `usage`. */
export type ExitName = keyof typeof EXIT;
