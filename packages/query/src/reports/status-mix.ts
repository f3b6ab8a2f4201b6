import type { QuerySession } from '../query-session.js';
import type { ResultColumn } from '../result-column.js';
import { readCoverage } from './report-coverage.js';
import {
  checkBucket,
  checkGroup,
  type ReportBucket,
  type ReportGroup,
  type ReportOptions,
  resolveScope,
} from './report-options.js';
import type { ReportResult } from './report-result.js';
import {
  gapFlag,
  groupOf,
  IN_SCOPE,
  NOT_FINAL,
  OPEN_GAPS,
  STEP,
  scopeParams,
  UTC_DAY,
} from './report-sql.js';

/** Options of {@link statusMix}. */
export interface StatusMixOptions extends ReportOptions {
  /** Bucket length. @default 'day' */
  by?: ReportBucket;
  /** Group rows by this; by bucket only when unset. */
  group?: ReportGroup;
}

/** How many invocations of one bucket and group are in one status. */
export interface StatusMixRow {
  /** First day of the bucket, `YYYY-MM-DD` (UTC). */
  period: string;
  /** The group's value; null when not grouped. */
  group: string | null;
  /** `invocation_status` (latest observed). */
  status: string;
  /** Whether the status is final. */
  final: boolean;
  count: number;
  /** `count` over all invocations of the bucket and group, non-final ones included. */
  share: number;
  /** Whether an unresolved gap of this group overlaps the bucket. */
  gap: boolean;
}

export interface StatusMixResult extends ReportResult<StatusMixRow> {
  by: ReportBucket;
  group: ReportGroup | null;
}

export const STATUS_MIX_COLUMNS: ResultColumn[] = [
  { name: 'period', sqlType: 'DATE', kind: 'date' },
  { name: 'group', sqlType: 'VARCHAR', kind: 'text' },
  { name: 'status', sqlType: 'VARCHAR', kind: 'text' },
  { name: 'final', sqlType: 'BOOLEAN', kind: 'boolean' },
  { name: 'count', sqlType: 'BIGINT', kind: 'int64' },
  { name: 'share', sqlType: 'DOUBLE', kind: 'float64' },
  { name: 'gap', sqlType: 'BOOLEAN', kind: 'boolean' },
];

/** One row per bucket, group and status present (a status with no invocation has no row). */
const sql = (group: ReportGroup | undefined, source: string) => `WITH daily AS (
    SELECT ${UTC_DAY} AS day, ${groupOf(group)} AS grp, invocation_status AS status, sum(invocations) AS n
    FROM ${source} WHERE ${IN_SCOPE}
    GROUP BY ALL
  ), counts AS (
    SELECT CAST(date_trunc($by, day) AS DATE) AS period, grp, status, CAST(sum(n) AS BIGINT) AS count
    FROM daily GROUP BY ALL
  ), ${OPEN_GAPS}
  SELECT period, grp AS "group", status, NOT ${NOT_FINAL('status')} AS final, count,
    count / sum(count) OVER (PARTITION BY period, grp) AS share,
    ${gapFlag(group, 'grp', 'greatest(period, $since)', `least(period + ${STEP}, $until)`)} AS gap
  FROM counts
  ORDER BY period, grp NULLS FIRST, count DESC, status`;

/** The mix of statuses over time: per bucket (and group), how many invocations are in each status. */
export async function statusMix(
  session: QuerySession,
  options: StatusMixOptions = {},
): Promise<StatusMixResult> {
  const scope = resolveScope(options);
  const by = checkBucket(options.by);
  const group = checkGroup(options.group);
  await session.holdCoverage();
  const source = await session.periodCounts(scope.since, scope.until);
  const { rows } = await session.run(sql(group, source), { ...scopeParams(scope), by });
  return {
    report: 'status-mix',
    since: scope.since.toISOString(),
    until: scope.until.toISOString(),
    by,
    group: group ?? null,
    columns: STATUS_MIX_COLUMNS,
    rows: rows as unknown as StatusMixRow[],
    coverage: await readCoverage(session, scope),
  };
}
