/** `InvocationStatus` values that still change: an invocation in one of them has not ended. */
export const NON_FINAL_STATUSES: readonly string[] = ['Pending', 'Running', 'Stopping'];

/** `InvocationStatus` values an invocation ends in (the API's list; see swas-api.md). */
export const FINAL_STATUSES: readonly string[] = [
  'Success',
  'Invalid',
  'Aborted',
  'Failed',
  'Error',
  'Timeout',
  'Cancelled',
  'Terminated',
];

/** What counts as a failure unless told otherwise: every final status but `Success`. */
export const DEFAULT_FAILURE_STATUSES: readonly string[] = FINAL_STATUSES.filter((s) => s !== 'Success');
