import { ReportOptionsError } from '../errors.js';
import { parseInstant } from './report-period.js';
import { DEFAULT_FAILURE_STATUSES, FINAL_STATUSES, NON_FINAL_STATUSES } from './statuses.js';

/** What rows are grouped by: the invocation's region, instance, command name, command type or account. */
export type ReportGroup = 'region' | 'instance' | 'command' | 'command-type' | 'account';

/** The groups, in the order help lists them. */
export const REPORT_GROUPS: readonly ReportGroup[] = [
  'region',
  'instance',
  'command',
  'command-type',
  'account',
];

/** The length of a report's time buckets (UTC days; ISO weeks from Monday; calendar months). */
export type ReportBucket = 'day' | 'week' | 'month';

export const REPORT_BUCKETS: readonly ReportBucket[] = ['day', 'week', 'month'];

/** What every report takes. Periods are over `creation_time`, in UTC, from `since` (inclusive) to `until`. */
export interface ReportOptions {
  /**
   * Start of the period: a `Date`, `2026-11-01` (UTC midnight), an ISO time, or a span back from now
   * (`30d`, `12h`, `2w`).
   * @default '30d'
   */
  since?: Date | string;
  /**
   * End of the period (exclusive), in the same forms; a date alone includes that day.
   * @default 'now'
   */
  until?: Date | string;
  /** Only these regions (`region_id`). @default every region */
  regions?: readonly string[];
  /** Only these instances (`instance_id`). @default every instance */
  instances?: readonly string[];
  /** Only these commands (`command_name`). @default every command */
  commands?: readonly string[];
  /** What "now" is for relative times and defaults. @default new Date() */
  now?: Date;
}

/** Options with a failure rate: which final statuses are failures. */
export interface FailureOptions {
  /**
   * Final statuses that count as failures; the rest of the final statuses are successes. Non-final
   * invocations (`Pending`, `Running`, `Stopping`) are never counted in a rate, only in `not_final`.
   * @default every final status but Success: Invalid, Aborted, Failed, Error, Timeout, Cancelled, Terminated
   */
  failureStatuses?: readonly string[];
}

/** {@link ReportOptions} checked and made concrete. */
export interface ResolvedScope {
  since: Date;
  until: Date;
  regions: string[];
  instances: string[];
  commands: string[];
  now: Date;
}

/** Checks `options` and fills in the defaults; a problem throws a {@link ReportOptionsError} saying how to fix it. */
export function resolveScope(options: ReportOptions): ResolvedScope {
  const now = options.now ?? new Date();
  const since = parseInstant(options.since ?? '30d', now, 'since');
  const until = parseInstant(options.until ?? 'now', now, 'until', true);
  if (since.getTime() >= until.getTime()) {
    throw new ReportOptionsError(
      `the period is empty: since (${since.toISOString()}) must be before until (${until.toISOString()})`,
      'since',
    );
  }
  return {
    since,
    until,
    regions: names(options.regions, 'regions'),
    instances: names(options.instances, 'instances'),
    commands: names(options.commands, 'commands'),
    now,
  };
}

/** A group name checked against {@link REPORT_GROUPS}. */
export function checkGroup(group: string | undefined): ReportGroup | undefined {
  if (group === undefined || (REPORT_GROUPS as readonly string[]).includes(group))
    return group as ReportGroup;
  throw new ReportOptionsError(`group must be one of ${REPORT_GROUPS.join(', ')}; got "${group}"`, 'group');
}

/** A bucket length checked against {@link REPORT_BUCKETS}. */
export function checkBucket(by: string | undefined): ReportBucket {
  if (by === undefined) return 'day';
  if ((REPORT_BUCKETS as readonly string[]).includes(by)) return by as ReportBucket;
  throw new ReportOptionsError(`by must be one of ${REPORT_BUCKETS.join(', ')}; got "${by}"`, 'by');
}

/** The failure statuses, each checked to be a final status of the API. */
export function failureStatuses(options: FailureOptions): string[] {
  const statuses = [...(options.failureStatuses ?? DEFAULT_FAILURE_STATUSES)];
  if (statuses.length === 0)
    throw new ReportOptionsError('failure statuses cannot be empty: name at least one', 'failureStatuses');
  for (const s of statuses) {
    if (NON_FINAL_STATUSES.includes(s)) {
      throw new ReportOptionsError(
        `${s} is not a final status: non-final invocations (${NON_FINAL_STATUSES.join(', ')}) are counted in not_final, never as failures`,
        'failureStatuses',
      );
    }
    if (!FINAL_STATUSES.includes(s)) {
      throw new ReportOptionsError(
        `unknown status "${s}": the final statuses are ${FINAL_STATUSES.join(', ')} (case matters)`,
        'failureStatuses',
      );
    }
  }
  return statuses;
}

function names(values: readonly string[] | undefined, option: string): string[] {
  const out = [...(values ?? [])];
  for (const v of out) {
    if (typeof v !== 'string' || v === '')
      throw new ReportOptionsError(`${option} must be non-empty names; got ${JSON.stringify(v)}`, option);
  }
  return out;
}
