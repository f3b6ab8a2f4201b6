import { ArchiveLockedError, ArchiveUsageError } from '@swas-archive/archive';
import {
  AuthenticationError,
  ClockSkewError,
  ConfigurationError,
  PermissionError,
} from '@swas-archive/client';
import { CrawlConfigurationError } from '@swas-archive/crawler';

/** Exit statuses of every swas-archive command (documented in the README). */
export const EXIT = {
  /** Complete: everything asked was done. */
  ok: 0,
  /** An unexpected error (a bug, the disk, the network beyond retries). */
  unexpected: 1,
  /** Usage or configuration: a bad flag, an unknown region, no credentials, bad SQL. */
  usage: 2,
  /** Authentication or permission: a wrong secret, an unknown key, a missing RAM permission, a clock off by > 15 min. */
  auth: 3,
  /** Partial: an instance could not be archived completely, or a new gap was found. */
  partial: 4,
  /** Another run holds the archive's writer lock. */
  locked: 5,
  /** `verify` found missing, corrupt or unexpected files. */
  damaged: 6,
} as const;

/** The exit status an error means. */
export function exitCodeFor(error: unknown): number {
  if (
    error instanceof AuthenticationError ||
    error instanceof PermissionError ||
    error instanceof ClockSkewError
  )
    return EXIT.auth;
  if (error instanceof ArchiveLockedError) return EXIT.locked;
  if (
    error instanceof ConfigurationError ||
    error instanceof CrawlConfigurationError ||
    error instanceof ArchiveUsageError
  )
    return EXIT.usage;
  if (error instanceof UsageError) return EXIT.usage;
  return EXIT.unexpected;
}

/** A mistake in how the command was called; the message says how to fix it. */
export class UsageError extends Error {
  override name = 'UsageError';
}
