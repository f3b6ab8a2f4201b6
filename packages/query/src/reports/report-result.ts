import type { ResultColumn } from '../result-column.js';

/** A window of creation times that a run proved complete for one instance (clipped to the period). */
export interface CoverageWindow {
  account: string;
  region_id: string;
  instance_id: string;
  /** ISO-8601 UTC. */
  window_start: string;
  window_end: string;
}

/** A gap found by a run that overlaps the period: records created in it may be missing. */
export interface ReportGap {
  account: string;
  region_id: string;
  instance_id: string;
  /** ISO-8601 UTC; null when nothing of the instance had been archived before it. */
  gap_start: string | null;
  /** ISO-8601 UTC; null when the end is not known (then it ends at `found_at` at the latest). */
  gap_end: string | null;
  /** `expired-unseen`, `cap-rotated`, `expired-during-crawl`, `instance-failed` or `released`. */
  gap_reason: string;
  detail: string | null;
  /** Whether a later complete window covers it (its records were archived after all). */
  resolved: boolean;
  /** When the run found it (`observed_at`). */
  found_at: string;
}

/** Which of a report's period the archive can vouch for. */
export interface ReportCoverage {
  /** The creation times looked at (for `change`, both periods), ISO-8601 UTC. */
  since: string;
  until: string;
  /** Whether no unresolved gap overlaps them. */
  complete: boolean;
  /** Per instance in scope, the windows proven complete, merged and clipped to the period. */
  windows: CoverageWindow[];
  /** Gaps overlapping the period, unresolved first. */
  gaps: ReportGap[];
  /**
   * Windows read but not proven complete, clipped to the period: imports ("imported, completeness
   * unknown") and runs that were stopped, each with its coverage row's detail.
   */
  unproven: (CoverageWindow & { detail: string | null })[];
  /**
   * Per instance in scope (every instance the coverage names), the parts of the period that no window proven
   * complete covers: before its first window, between windows, or all of it. Nothing is claimed after an
   * instance's newest proven window (the next crawl covers that).
   */
  uncovered: CoverageWindow[];
  /** Whether some instance is in scope, none has an unresolved gap, and none has an uncovered part. */
  spanned: boolean;
}

/** What a report returns: its rows, typed, and the coverage of its period. */
export interface ReportResult<R> {
  /** The report's name, e.g. `failure-rate`. */
  report: string;
  /** The period, ISO-8601 UTC: creation times from `since` (inclusive) to `until` (exclusive). */
  since: string;
  until: string;
  /** The columns of `rows`, in order, with their kinds (for writers that keep types). */
  columns: ResultColumn[];
  rows: R[];
  coverage: ReportCoverage;
}
