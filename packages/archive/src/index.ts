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
  ArchiveStoreError,
  ArchiveUsageError,
} from './errors.js';
export {
  DDL_ENGINES,
  type DdlEngine,
  type ExternalDdlOptions,
  externalTableDdl,
} from './external-ddl.js';
export { isStoreUrl, parseStoreUrl } from './object-store/archive-location.js';
export { type FetchStats, type LocalCopy, ObjectCache } from './object-store/object-cache.js';
export type { ObjectStore, StoredObject } from './object-store/object-store.js';
export { DEFAULT_ORPHAN_GRACE_MS, openStore, storeCache } from './object-store/open-store.js';
export {
  latestCatalog,
  openWorkingCopy,
  type PublishResult,
  publishWorkingCopy,
  type RemoteCatalog,
} from './object-store/remote-archive.js';
export { S3Store, s3ConfigFrom } from './object-store/s3-store.js';
export type {
  CoverageRecord,
  InstanceObservation,
  InvocationObservation,
  ObservedResult,
  RunRecord,
} from './records.js';
export type { RedactionAction, RedactionPolicy } from './redaction.js';
export { ARCHIVE_ROOT_ENTRIES } from './root-entries.js';
export { type ColumnType, TABLE_NAMES, TABLES, type TableName } from './schema.js';
export type { ArchiveShard } from './shard-lease.js';
export type { CommitResult, SnapshotOptions, SnapshotWriter } from './snapshot-writer.js';
export { registerTables, tableSelectSql } from './table-sql.js';
export { type VerifyReport, verifyArchive } from './verify.js';
export { LAUNCHER_PID_ENV, type LockOwner } from './writer-lock.js';
