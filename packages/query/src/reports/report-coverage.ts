import type { QuerySession } from '../query-session.js';
import type { ResolvedScope } from './report-options.js';
import type { CoverageWindow, ReportCoverage, ReportGap } from './report-result.js';

/** The filters of a report that apply to instances (a command filter does not). */
const INSTANCES_IN_SCOPE = `(len($regions) = 0 OR list_contains($regions, region_id))
  AND (len($instances) = 0 OR list_contains($instances, instance_id))`;

/**
 * Complete windows of the `coverage` view overlapping the period, merged per instance where they overlap
 * or touch (a run's window usually extends the one before), then clipped to the period.
 */
const WINDOWS_SQL = `WITH w AS (
    SELECT account, region_id, instance_id, window_start AS s, window_end AS e FROM coverage
    WHERE complete AND window_start IS NOT NULL AND window_end IS NOT NULL
      AND window_start < $until AND window_end >= $since AND ${INSTANCES_IN_SCOPE}
  ), reach AS (
    SELECT *, max(e) OVER (PARTITION BY account, region_id, instance_id ORDER BY s, e
      ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reached FROM w
  ), islands AS (
    SELECT *, sum(CASE WHEN reached IS NULL OR s > reached THEN 1 ELSE 0 END)
      OVER (PARTITION BY account, region_id, instance_id ORDER BY s, e ROWS UNBOUNDED PRECEDING) AS island
    FROM reach
  )
  SELECT account, region_id, instance_id, greatest(min(s), $since) AS window_start, least(max(e), $until) AS window_end
  FROM islands GROUP BY account, region_id, instance_id, island
  ORDER BY account, region_id, instance_id, window_start`;

/** Gaps of the `gaps` view overlapping the period (see OPEN_GAPS in report-sql.ts for their span). */
const GAPS_SQL = `SELECT account, region_id, instance_id, gap_start, gap_end, gap_reason, detail, resolved,
    observed_at AS found_at
  FROM gaps
  WHERE coalesce(gap_start, '-infinity'::TIMESTAMPTZ) < $until
    AND coalesce(gap_end, greatest(observed_at, gap_start), observed_at) >= $since AND ${INSTANCES_IN_SCOPE}
  ORDER BY resolved, gap_start NULLS FIRST, account, region_id, instance_id, found_at`;

/** The coverage of `[since, until)` for the instances in `scope`, read through the `coverage` and `gaps` views. */
export async function readCoverage(
  session: QuerySession,
  scope: ResolvedScope,
  since: Date = scope.since,
): Promise<ReportCoverage> {
  const params = { since, until: scope.until, regions: scope.regions, instances: scope.instances };
  const windows = (await session.run(WINDOWS_SQL, params)).rows as unknown as CoverageWindow[];
  const gaps = (await session.run(GAPS_SQL, params)).rows as unknown as ReportGap[];
  return {
    since: since.toISOString(),
    until: scope.until.toISOString(),
    complete: gaps.every((g) => g.resolved),
    windows,
    gaps,
  };
}
