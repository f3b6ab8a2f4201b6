import type { QuerySession } from '../query-session.js';
import type { ResultColumn } from '../result-column.js';
import { readCoverage } from './report-coverage.js';
import {
  checkBucket,
  checkGroup,
  type FailureOptions,
  failureStatuses,
  type ReportBucket,
  type ReportGroup,
  type ReportOptions,
  resolveScope,
} from './report-options.js';
import type { ReportResult } from './report-result.js';
import {
  FAILED,
  gapFlag,
  groupOf,
  IN_SCOPE,
  NOT_FINAL,
  OPEN_GAPS,
  STEP,
  scopeParams,
  UTC_DAY,
} from './report-sql.js';

/** Options of {@link failureRate}. */
export interface FailureRateOptions extends ReportOptions, FailureOptions {
  /** Bucket length. @default 'day' */
  by?: ReportBucket;
  /** Group rows by this; one row per bucket when unset. */
  group?: ReportGroup;
}

/** One bucket of one group. */
export interface FailureRateRow {
  /** First day of the bucket, `YYYY-MM-DD` (UTC); the first and last buckets are cut to the period. */
  period: string;
  /** The group's value (region id, instance id, command name, …); null when not grouped. */
  group: string | null;
  /** Invocations in a final status. */
  total: number;
  /** Of those, invocations in a failure status. */
  failed: number;
  /** `failed / total`; null when `total` is 0. */
  rate: number | null;
  /** Invocations not final yet (Pending, Running, Stopping): in no rate. */
  not_final: number;
  /** Whether an unresolved gap of this group overlaps the bucket: invocations may be missing from it. */
  gap: boolean;
}

/** The report's result, with the failure statuses it used. */
export interface FailureRateResult extends ReportResult<FailureRateRow> {
  by: ReportBucket;
  group: ReportGroup | null;
  failureStatuses: string[];
}

export const FAILURE_RATE_COLUMNS: ResultColumn[] = [
  { name: 'period', sqlType: 'DATE', kind: 'date' },
  { name: 'group', sqlType: 'VARCHAR', kind: 'text' },
  { name: 'total', sqlType: 'BIGINT', kind: 'int64' },
  { name: 'failed', sqlType: 'BIGINT', kind: 'int64' },
  { name: 'rate', sqlType: 'DOUBLE', kind: 'float64' },
  { name: 'not_final', sqlType: 'BIGINT', kind: 'int64' },
  { name: 'gap', sqlType: 'BOOLEAN', kind: 'boolean' },
];

/**
 * Every bucket of the period (days, weeks or months, UTC) for every group with invocations in it, even
 * when a bucket has none (so that a bucket lost to a gap shows up, with `gap` set). Counts each
 * invocation's latest state (see `QuerySession.periodCounts`), and reads the `gaps` view.
 */
const sql = (group: ReportGroup | undefined, source: string) => `WITH daily AS (
    SELECT ${UTC_DAY} AS day, ${groupOf(group)} AS grp, invocation_status AS status, sum(invocations) AS n
    FROM ${source} WHERE ${IN_SCOPE}
    GROUP BY ALL
  ), scoped AS (
    SELECT CAST(date_trunc($by, day) AS DATE) AS period, grp, status, n FROM daily
  ), periods AS (
    SELECT CAST(p AS DATE) AS period FROM range(date_trunc($by, $since), $until, ${STEP}) AS t(p)
  ), groups AS (
    SELECT DISTINCT grp FROM daily UNION SELECT CAST(NULL AS VARCHAR) WHERE NOT $grouped
  ), counts AS (
    SELECT period, grp,
      CAST(coalesce(sum(n) FILTER (WHERE NOT ${NOT_FINAL('status')}), 0) AS BIGINT) AS total,
      CAST(coalesce(sum(n) FILTER (WHERE ${FAILED('status')}), 0) AS BIGINT) AS failed,
      CAST(coalesce(sum(n) FILTER (WHERE ${NOT_FINAL('status')}), 0) AS BIGINT) AS not_final
    FROM scoped GROUP BY period, grp
  ), ${OPEN_GAPS}
  SELECT p.period, g.grp AS "group", coalesce(c.total, 0) AS total, coalesce(c.failed, 0) AS failed,
    CASE WHEN coalesce(c.total, 0) = 0 THEN NULL ELSE c.failed / c.total END AS rate,
    coalesce(c.not_final, 0) AS not_final,
    ${gapFlag(group, 'g.grp', 'greatest(p.period, $since)', `least(p.period + ${STEP}, $until)`)} AS gap
  FROM periods p CROSS JOIN groups g
  LEFT JOIN counts c ON c.period = p.period AND c.grp IS NOT DISTINCT FROM g.grp
  ORDER BY p.period, g.grp NULLS FIRST`;

/**
 * Failure rate per bucket (and group): of the invocations created in the bucket and final by the archive's
 * latest observation, the share in a failure status.
 */
export async function failureRate(
  session: QuerySession,
  options: FailureRateOptions = {},
): Promise<FailureRateResult> {
  const scope = resolveScope(options);
  const by = checkBucket(options.by);
  const group = checkGroup(options.group);
  const failure = failureStatuses(options);
  await session.holdCoverage();
  const source = await session.periodCounts(scope.since, scope.until);
  const { rows } = await session.run(sql(group, source), {
    ...scopeParams(scope, failure),
    by,
    grouped: group !== undefined,
  });
  return {
    report: 'failure-rate',
    since: scope.since.toISOString(),
    until: scope.until.toISOString(),
    by,
    group: group ?? null,
    failureStatuses: failure,
    columns: FAILURE_RATE_COLUMNS,
    rows: rows as unknown as FailureRateRow[],
    coverage: await readCoverage(session, scope),
  };
}
