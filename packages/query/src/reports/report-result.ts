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
