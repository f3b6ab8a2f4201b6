export { QueryError, QueryRefusedError, ReportOptionsError } from './errors.js';
export type { QueryParam, QueryParams } from './query-params.js';
export { QuerySession, type QuerySessionOptions, type Row } from './query-session.js';
export type { ColumnKind, ResultColumn } from './result-column.js';
export type { QueryResult } from './row-stream.js';
export type { SessionLimits } from './session-settings.js';
export { cellText, type UserValue } from './value-format.js';
