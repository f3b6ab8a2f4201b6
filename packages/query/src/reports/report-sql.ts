import type { QueryParams } from '../query-params.js';
import type { ReportGroup, ResolvedScope } from './report-options.js';
import { NON_FINAL_STATUSES } from './statuses.js';

// SQL shared by the reports. Every value a user gave is a `$name` parameter; the only text put into SQL
// comes from the fixed tables below, chosen by a value already checked against them.

/** The column of `invocations` each group reads. */
const GROUP_COLUMN: Record<ReportGroup, string> = {
  region: 'region_id',
  instance: 'instance_id',
  command: 'command_name',
  'command-type': 'command_type',
  account: 'account',
};

/** The group of a row of `invocations`: its column, or NULL when the report is not grouped. */
export const groupOf = (group: ReportGroup | undefined): string =>
  group ? GROUP_COLUMN[group] : 'CAST(NULL AS VARCHAR)';

/** The invocations of the period and the filters (`$since`, `$until`, `$regions`, `$instances`, `$commands`). */
export const IN_SCOPE = `creation_time >= $since AND creation_time < $until
  AND (len($regions) = 0 OR list_contains($regions, region_id))
  AND (len($instances) = 0 OR list_contains($instances, instance_id))
  AND (len($commands) = 0 OR list_contains($commands, command_name))`;

/**
 * The UTC day of `creation_time`, as a DATE, by arithmetic on its microseconds: a TIMESTAMPTZ's own
 * `date_trunc` or cast goes through ICU's calendar, which costs more than the whole scan over millions of
 * invocations (2 s instead of 0.1 s for ten million). Buckets are then cut from the day (`date_trunc` of a
 * DATE needs no time zone), once per day and group rather than once per invocation.
 */
export const UTC_DAY = 'CAST(make_timestamp(epoch_us(creation_time)) AS DATE)';

/**
 * How many invocations of the rows matching `condition` (0 when none): rows of `QuerySession.periodCounts`
 * each stand for `invocations` of them.
 */
export const COUNT = (condition: string) =>
  `CAST(coalesce(sum(invocations) FILTER (WHERE ${condition}), 0) AS BIGINT)`;

/** Whether `status` (a column) is not final. */
export const NOT_FINAL = (status: string) => `list_contains($non_final, ${status})`;

/** Whether `status` is one of the failure statuses. */
export const FAILED = (status: string) => `list_contains($failure, ${status})`;

/** One bucket of `$by` (`day`, `week`, `month`). */
export const STEP = `(CASE $by WHEN 'day' THEN INTERVAL 1 DAY WHEN 'week' THEN INTERVAL 7 DAY ELSE INTERVAL 1 MONTH END)`;

/**
 * A CTE `open_gaps`: the unresolved gaps of the instances in scope, each as the span of creation times
 * whose records may be missing: from its start (or the beginning of time when nothing had been archived)
 * to its end, or, when the gap has no known end, to when it was found (nothing created later can be in it:
 * the next run reads from there).
 */
export const OPEN_GAPS = `open_gaps AS (
  SELECT account, region_id, instance_id,
    coalesce(gap_start, '-infinity'::TIMESTAMPTZ) AS gap_from,
    coalesce(gap_end, greatest(observed_at, gap_start), observed_at) AS gap_to
  FROM gaps
  WHERE NOT resolved
    AND (len($regions) = 0 OR list_contains($regions, region_id))
    AND (len($instances) = 0 OR list_contains($instances, instance_id))
)`;

/** How an open gap `o` belongs to a row's group: by instance, region or account; any gap otherwise. */
const GAP_MATCH: Record<ReportGroup, (group: string) => string> = {
  region: (g) => ` AND o.region_id = ${g}`,
  instance: (g) => ` AND o.instance_id = ${g}`,
  account: (g) => ` AND o.account = ${g}`,
  command: () => '',
  'command-type': () => '',
};

/**
 * Whether an unresolved gap of the row's group overlaps the creation times `[from, to)`: then the row's
 * numbers may be missing invocations. Needs {@link OPEN_GAPS}. A command's invocations may lie in any
 * instance's gap, so commands (and ungrouped rows) match every gap in scope.
 */
export function gapFlag(
  group: ReportGroup | undefined,
  groupColumn: string,
  from: string,
  to: string,
): string {
  const match = group ? GAP_MATCH[group](groupColumn) : '';
  return `EXISTS (SELECT 1 FROM open_gaps o WHERE o.gap_from < ${to} AND o.gap_to >= ${from}${match})`;
}

/** The parameters of {@link IN_SCOPE}, {@link OPEN_GAPS} and the status sets. */
export function scopeParams(scope: ResolvedScope, failure: readonly string[] = []): QueryParams {
  return {
    since: scope.since,
    until: scope.until,
    regions: scope.regions,
    instances: scope.instances,
    commands: scope.commands,
    non_final: NON_FINAL_STATUSES,
    failure,
  };
}
