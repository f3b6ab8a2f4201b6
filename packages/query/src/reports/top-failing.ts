import { ReportOptionsError } from '../errors.js';
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

/** Options of {@link topFailing}. */
export interface TopFailingOptions extends ReportOptions, FailureOptions {
  /** What is ranked: commands or instances (or regions, command types, accounts). @default 'command' */
  group?: ReportGroup;
  /** How many rows at most. @default 10 */
  limit?: number;
}

/** One of the most failing commands (or instances, …) of the period. */
export interface TopFailingRow {
  /** The command name (or instance id, …). */
  group: string | null;
  /** Invocations in a final status. */
  total: number;
  /** Of those, in a failure status. */
  failed: number;
  /** `failed / total`. */
  rate: number;
  /** Invocations not final yet: in no rate. */
  not_final: number;
  /** Creation time of the latest failed invocation, ISO-8601 UTC. */
  last_failed_at: string;
  /** Whether an unresolved gap of this group overlaps the period. */
  gap: boolean;
}

export interface TopFailingResult extends ReportResult<TopFailingRow> {
  group: ReportGroup;
  limit: number;
  failureStatuses: string[];
}

export const TOP_FAILING_COLUMNS: ResultColumn[] = [
  { name: 'group', sqlType: 'VARCHAR', kind: 'text' },
  { name: 'total', sqlType: 'BIGINT', kind: 'int64' },
  { name: 'failed', sqlType: 'BIGINT', kind: 'int64' },
  { name: 'rate', sqlType: 'DOUBLE', kind: 'float64' },
  { name: 'not_final', sqlType: 'BIGINT', kind: 'int64' },
  { name: 'last_failed_at', sqlType: 'TIMESTAMP WITH TIME ZONE', kind: 'timestamp' },
  { name: 'gap', sqlType: 'BOOLEAN', kind: 'boolean' },
];

/** Groups with at least one failure, most failures first, then highest rate, then name. */
const sql = (group: ReportGroup, source: string) => `WITH scoped AS (
    SELECT ${groupOf(group)} AS grp, invocation_status AS status, invocations, last_creation_time
    FROM ${source} WHERE ${IN_SCOPE}
  ), totals AS (
    SELECT grp,
      ${COUNT(`NOT ${NOT_FINAL('status')}`)} AS total,
      ${COUNT(FAILED('status'))} AS failed,
      ${COUNT(NOT_FINAL('status'))} AS not_final,
      max(last_creation_time) FILTER (WHERE ${FAILED('status')}) AS last_failed_at
    FROM scoped GROUP BY grp
  ), ${OPEN_GAPS}
  SELECT grp AS "group", total, failed, failed / total AS rate, not_final, last_failed_at,
    ${gapFlag(group, 'grp', '$since', '$until')} AS gap
  FROM totals WHERE failed > 0
  ORDER BY failed DESC, rate DESC, grp NULLS FIRST
  LIMIT $limit`;

/** The commands (or instances, …) with the most failed invocations in the period, with their rates. */
export async function topFailing(
  session: QuerySession,
  options: TopFailingOptions = {},
): Promise<TopFailingResult> {
  const scope = resolveScope(options);
  const group = checkGroup(options.group) ?? 'command';
  const failure = failureStatuses(options);
  const limit = options.limit ?? 10;
  if (!Number.isInteger(limit) || limit < 1)
    throw new ReportOptionsError(`limit must be an integer >= 1, got ${limit}`, 'limit');
  await session.holdCoverage();
  const source = await session.periodCounts(scope.since, scope.until);
  const { rows } = await session.run(sql(group, source), { ...scopeParams(scope, failure), limit });
  return {
    report: 'top-failing',
    since: scope.since.toISOString(),
    until: scope.until.toISOString(),
    group,
    limit,
    failureStatuses: failure,
    columns: TOP_FAILING_COLUMNS,
    rows: rows as unknown as TopFailingRow[],
    coverage: await readCoverage(session, scope),
  };
}
