import { NotFoundError } from '@swas-archive/client';
import { crawlDecisionOf } from '@swas-archive/errors';

/**
 * Whether an error stops the whole run rather than failing one instance: its crawl decision in
 * `ERROR_CODES` is `stop-run` (credentials, permission, clock, configuration, the archive), or it is not one
 * of ours (a bug). Nothing else can succeed with the same credentials, settings or archive.
 */
export const stopsTheRun = (error: unknown): boolean => crawlDecisionOf(error) === 'stop-run';

/** Whether the API says the instance itself no longer exists (`InvalidInstanceId.NotFound`): released. */
export const isInstanceGone = (error: unknown): boolean =>
  error instanceof NotFoundError && error.serverCode.startsWith('InvalidInstanceId');

/** Whether the API says the thing asked for does not exist (for a result: it expired since it was listed). */
export const isNotFound = (error: unknown): boolean => error instanceof NotFoundError;

/** The message of anything thrown. */
export const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Anything thrown, as an `Error`. */
export const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));
