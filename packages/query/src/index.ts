export { QueryError, QueryRefusedError, ReportOptionsError } from './errors.js';
export type { QueryParam, QueryParams } from './query-params.js';
export { QuerySession, type QuerySessionOptions, type Row } from './query-session.js';
export { type ChangeOptions, type ChangeResult, type ChangeRow, change } from './reports/change.js';
export {
  type FailureRateOptions,
  type FailureRateResult,
  type FailureRateRow,
  failureRate,
} from './reports/failure-rate.js';
export {
  type FailureOptions,
  REPORT_BUCKETS,
  REPORT_GROUPS,
  type ReportBucket,
  type ReportGroup,
  type ReportOptions,
} from './reports/report-options.js';
export type { CoverageWindow, ReportCoverage, ReportGap, ReportResult } from './reports/report-result.js';
export {
  type StatusMixOptions,
  type StatusMixResult,
  type StatusMixRow,
  statusMix,
} from './reports/status-mix.js';
export { DEFAULT_FAILURE_STATUSES, FINAL_STATUSES, NON_FINAL_STATUSES } from './reports/statuses.js';
export { type StuckOptions, type StuckResult, type StuckRow, stuck } from './reports/stuck.js';
export {
  type TopFailingOptions,
  type TopFailingResult,
  type TopFailingRow,
  topFailing,
} from './reports/top-failing.js';
export type { ColumnKind, ResultColumn } from './result-column.js';
export type { QueryResult, RowChunk } from './row-stream.js';
export type { SessionLimits } from './session-settings.js';
export { cellText, type UserValue } from './value-format.js';
