export type { Archive } from './archive.js';
export { openArchive } from './archive.js';
export type { ArchiveOptions } from './archive-options.js';
export { checkArchiveRoot } from './archive-root.js';
export type { ArchivedInvocation, LateResult } from './archived-invocation.js';
export type { Catalog, CatalogFile, CatalogSnapshot, RetiredFile } from './catalog.js';
export { RETIRED_KEEP_MS, readCatalog } from './catalog.js';
export type { Recovery } from './commit-journal.js';
export type { CompactionOptions, CompactionResult } from './compaction.js';
export { CRASH_POINTS, type CrashPoint } from './crash-point.js';
export {
  ArchiveCorruptError,
  ArchiveDiskError,
  ArchiveDiskFullError,
  ArchiveError,
  ArchiveLockedError,
  ArchivePathError,
  ArchiveReadOnlyError,
  ArchiveUsageError,
} from './errors.js';
export type {
  CoverageRecord,
  InstanceObservation,
  InvocationObservation,
  ObservedResult,
  RunRecord,
} from './records.js';
export type { RedactionAction, RedactionPolicy } from './redaction.js';
export { ARCHIVE_ROOT_ENTRIES } from './root-entries.js';
export type { TableName } from './schema.js';
export type { CommitResult, SnapshotWriter } from './snapshot-writer.js';
export { registerTables, tableSelectSql } from './table-sql.js';
export { type VerifyReport, verifyArchive } from './verify.js';
export type { LockOwner } from './writer-lock.js';
