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

/** Windows of the `coverage` view read but not proven complete (imports, stopped runs), clipped to the period. */
const UNPROVEN_SQL = `SELECT account, region_id, instance_id, greatest(window_start, $since) AS window_start,
    least(window_end, $until) AS window_end, detail
  FROM coverage
  WHERE NOT complete AND window_start IS NOT NULL AND window_end IS NOT NULL
    AND window_start < $until AND window_end >= $since AND ${INSTANCES_IN_SCOPE}
  ORDER BY account, region_id, instance_id, window_start, window_end`;

/** Every instance the coverage names, in scope. */
const INSTANCES_SQL = `SELECT DISTINCT account, region_id, instance_id FROM coverage WHERE ${INSTANCES_IN_SCOPE}
  ORDER BY ALL`;

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
  const unproven = (await session.run(UNPROVEN_SQL, params)).rows as unknown as ReportCoverage['unproven'];
  const instances = (await session.run(INSTANCES_SQL, params)).rows as unknown as InstanceKey[];
  const complete = gaps.every((g) => g.resolved);
  const uncovered = uncoveredParts(instances, windows, since.toISOString(), scope.until.toISOString());
  return {
    since: since.toISOString(),
    until: scope.until.toISOString(),
    complete,
    windows,
    gaps,
    unproven,
    uncovered,
    spanned: complete && instances.length > 0 && uncovered.length === 0,
  };
}

type InstanceKey = Pick<CoverageWindow, 'account' | 'region_id' | 'instance_id'>;

/**
 * Per instance, the parts of `[since, until)` between its merged windows (sorted, clipped to the period):
 * before the first and between two; all of it when it has none. Nothing after the last window.
 */
export function uncoveredParts(
  instances: readonly InstanceKey[],
  windows: readonly CoverageWindow[],
  since: string,
  until: string,
): CoverageWindow[] {
  const out: CoverageWindow[] = [];
  const key = (w: InstanceKey) => `${w.account}\u0000${w.region_id}\u0000${w.instance_id}`;
  const byInstance = new Map<string, CoverageWindow[]>();
  for (const w of windows) {
    const list = byInstance.get(key(w));
    if (list) list.push(w);
    else byInstance.set(key(w), [w]);
  }
  for (const i of instances) {
    const own = byInstance.get(key(i)) ?? [];
    const at = { account: i.account, region_id: i.region_id, instance_id: i.instance_id };
    if (own.length === 0) {
      out.push({ ...at, window_start: since, window_end: until });
      continue;
    }
    let from = since;
    for (const w of own) {
      if (Date.parse(w.window_start) > Date.parse(from))
        out.push({ ...at, window_start: from, window_end: w.window_start });
      if (Date.parse(w.window_end) > Date.parse(from)) from = w.window_end;
    }
  }
  return out;
}
