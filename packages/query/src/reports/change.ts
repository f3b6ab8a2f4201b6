import type { QuerySession } from '../query-session.js';
import type { ResultColumn } from '../result-column.js';
import { readCoverage } from './report-coverage.js';
import {
  checkGroup,
  type FailureOptions,
  failureStatuses,
  type ReportGroup,
  type ReportOptions,
  resolveScope,
} from './report-options.js';
import type { ReportResult } from './report-result.js';
import {
  COUNT,
  FAILED,
  gapFlag,
  groupOf,
  IN_SCOPE,
  NOT_FINAL,
  OPEN_GAPS,
  scopeParams,
} from './report-sql.js';

/** Options of {@link change}. */
export interface ChangeOptions extends ReportOptions, FailureOptions {
  /** One row per group; a single row when unset. */
  group?: ReportGroup;
}

/** A group's failure rate in the period against the period of the same length just before it. */
export interface ChangeRow {
  /** The group's value; null when not grouped. */
  group: string | null;
  previous_total: number;
  previous_failed: number;
  /** null when `previous_total` is 0. */
  previous_rate: number | null;
  total: number;
  failed: number;
  /** null when `total` is 0. */
  rate: number | null;
  /** `rate - previous_rate` (positive: more failures now); null when either is null. */
  change: number | null;
  /** Whether an unresolved gap of this group overlaps either period. */
  gap: boolean;
}

export interface ChangeResult extends ReportResult<ChangeRow> {
  group: ReportGroup | null;
  /** Start of the previous period, ISO-8601 UTC (it ends at `since`). */
  previousSince: string;
  failureStatuses: string[];
}

export const CHANGE_COLUMNS: ResultColumn[] = [
  { name: 'group', sqlType: 'VARCHAR', kind: 'text' },
  { name: 'previous_total', sqlType: 'BIGINT', kind: 'int64' },
  { name: 'previous_failed', sqlType: 'BIGINT', kind: 'int64' },
  { name: 'previous_rate', sqlType: 'DOUBLE', kind: 'float64' },
  { name: 'total', sqlType: 'BIGINT', kind: 'int64' },
  { name: 'failed', sqlType: 'BIGINT', kind: 'int64' },
  { name: 'rate', sqlType: 'DOUBLE', kind: 'float64' },
  { name: 'change', sqlType: 'DOUBLE', kind: 'float64' },
  { name: 'gap', sqlType: 'BOOLEAN', kind: 'boolean' },
];

/**
 * `$since`..`$until` here is both periods (the scope starts at the previous one); `$current` is where the
 * current one begins. Groups present in either period; the biggest rise first.
 */
const sql = (group: ReportGroup | undefined, source: string) => `WITH scoped AS (
    SELECT ${groupOf(group)} AS grp, invocation_status AS status, creation_time >= $current AS current,
      invocations
    FROM ${source} WHERE ${IN_SCOPE}
  ), totals AS (
    SELECT grp,
      ${COUNT(`NOT current AND NOT ${NOT_FINAL('status')}`)} AS previous_total,
      ${COUNT(`NOT current AND ${FAILED('status')}`)} AS previous_failed,
      ${COUNT(`current AND NOT ${NOT_FINAL('status')}`)} AS total,
      ${COUNT(`current AND ${FAILED('status')}`)} AS failed
    FROM scoped GROUP BY grp
  ), rates AS (
    SELECT *,
      CASE WHEN previous_total = 0 THEN NULL ELSE previous_failed / previous_total END AS previous_rate,
      CASE WHEN total = 0 THEN NULL ELSE failed / total END AS rate
    FROM totals
  ), ${OPEN_GAPS}
  SELECT grp AS "group", previous_total, previous_failed, previous_rate, total, failed, rate,
    rate - previous_rate AS change, ${gapFlag(group, 'grp', '$since', '$until')} AS gap
  FROM rates
  ORDER BY change DESC NULLS LAST, grp NULLS FIRST`;

/**
 * How the failure rate changed: per group, the rate in the period against the rate in the period of the
 * same length that ends where it begins.
 */
export async function change(session: QuerySession, options: ChangeOptions = {}): Promise<ChangeResult> {
  const scope = resolveScope(options);
  const group = checkGroup(options.group);
  const failure = failureStatuses(options);
  const previousSince = new Date(2 * scope.since.getTime() - scope.until.getTime());
  const both = { ...scope, since: previousSince };
  await session.holdCoverage();
  // The day where the current period begins is counted invocation by invocation when it divides it.
  const source = await session.periodCounts(both.since, both.until, [scope.since]);
  const { rows } = await session.run(sql(group, source), {
    ...scopeParams(both, failure),
    current: scope.since,
  });
  return {
    report: 'change',
    since: scope.since.toISOString(),
    until: scope.until.toISOString(),
    previousSince: previousSince.toISOString(),
    group: group ?? null,
    failureStatuses: failure,
    columns: CHANGE_COLUMNS,
    rows: rows as unknown as ChangeRow[],
    coverage: await readCoverage(session, scope, previousSince),
  };
}
