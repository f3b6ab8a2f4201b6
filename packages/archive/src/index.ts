export { Archive, type ArchiveOptions, openArchive } from './archive.js';
export { type Catalog, type CatalogFile, type CatalogSnapshot, readCatalog } from './catalog.js';
export type { CompactionOptions, CompactionResult } from './compaction.js';
export { CRASH_POINTS, type CrashPoint } from './crash-point.js';
export { ArchiveCorruptError, ArchiveError, ArchiveLockedError, ArchiveUsageError } from './errors.js';
export type {
  CoverageRecord,
  InstanceObservation,
  InvocationObservation,
  ObservedResult,
  RunRecord,
} from './records.js';
export { NO_REDACTION, type RedactionAction, type RedactionPolicy } from './redaction.js';
export {
  type ColumnDef,
  type ColumnType,
  SCHEMA_VERSION,
  TABLE_NAMES,
  TABLES,
  type TableDef,
  type TableName,
} from './schema.js';
export type { CommitResult, SnapshotWriter } from './snapshot-writer.js';
export { registerTables, sqlString, tableSelectSql } from './table-sql.js';
export { type VerifyReport, verifyArchive } from './verify.js';
