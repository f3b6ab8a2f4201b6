export { arrowRecordBatch, arrowSchema } from './arrow-columns.js';
export {
  ExportIncompleteError,
  ExportUsageError,
  QueryError,
  QueryRefusedError,
  ReportOptionsError,
} from './errors.js';
export {
  DEFAULT_MAX_BYTES_PER_FILE,
  DEFAULT_MAX_ROWS_PER_FILE,
  type ExportOptions,
  type ExportResult,
  exportInvocations,
} from './exports/export-invocations.js';
export {
  canonicalJson,
  EXPORT_FORMATS,
  type ExportFormat,
  type ExportManifest,
  type InstanceCoverage,
  MANIFEST_FILE,
  MANIFEST_FORMAT,
  type ManifestFile,
  type ManifestSignature,
  manifestHash,
} from './exports/export-manifest.js';
export { type ExportVerifyReport, verifyExport } from './exports/export-verify.js';
export { type ManifestKey, readManifestKey } from './exports/manifest-signature.js';
export { type HtmlReport, type HtmlReportOptions, htmlReport } from './html/html-report.js';
export type { QueryParam, QueryParams } from './query-params.js';
export { QuerySession, type QuerySessionOptions, type Row } from './query-session.js';
export { type ChangeOptions, type ChangeResult, type ChangeRow, change } from './reports/change.js';
export {
  type FailureRateOptions,
  type FailureRateResult,
  type FailureRateRow,
  failureRate,
} from './reports/failure-rate.js';
export { reportFiles } from './reports/report-files.js';
export {
  type FailureOptions,
  REPORT_BUCKETS,
  REPORT_GROUPS,
  type ReportBucket,
  type ReportGroup,
  type ReportOptions,
} from './reports/report-options.js';
export { parseInstant } from './reports/report-period.js';
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
export { datasetsUnder, tablesNamedIn } from './views.js';
